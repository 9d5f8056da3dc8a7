"""The Target interface: every registered target declares itself, and the loader needs none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator import target_limits
from generator.targets import TARGETS, Role, target

ROOT = Path(__file__).resolve().parent.parent


def test_every_target_declares_its_name_role_and_reserved_names() -> None:
    assert TARGETS == ("docs", "jsonschema", "python", "rust", "go", "changes")
    roles = {name: target(name).role for name in TARGETS}
    assert roles == {
        "docs": Role.NEUTRAL,
        "jsonschema": Role.NEUTRAL,
        "python": Role.HOST,
        "rust": Role.GUEST,
        "go": Role.GUEST,
        "changes": Role.NEUTRAL,
    }
    for name in TARGETS:
        declared = target(name)
        assert declared.name == name
        # The loader reads the same data, from target_limits, without importing the target.
        assert declared.reserved_type_names == target_limits.RESERVED_TYPE_NAMES.get(name, {})
        assert declared.keywords == target_limits.KEYWORDS.get(name, ("", frozenset()))[1]
    assert "Field" in target("python").reserved_type_names
    assert "Vec" in target("rust").reserved_type_names
    assert "Value" in target("go").reserved_type_names
    assert "fn" in target("rust").keywords and "lambda" in target("python").keywords
    assert target_limits.keyword_language("if") == "Rust"  # a keyword of both: Rust first
    assert target_limits.keyword_language("lambda") == "Python"
    assert target_limits.keyword_language("lambda_") is None
    assert target("python").render_shared is not None
    assert target("rust").render_shared is None
    assert target("changes").render_shared is not None


def test_formatters_touch_only_their_own_files() -> None:
    messy = "x  =  1\n"
    assert target("python").formatter("a.py", messy) == "x = 1\n"
    assert target("python").formatter("a.toml", messy) == messy
    assert target("docs").formatter("a.md", messy) == messy
    assert target("rust").formatter("a.rs", "fn  main( ){}\n") == "fn main() {}\n"
    assert target("rust").formatter("Cargo.toml", messy) == messy
    assert target("go").formatter("a.go", "package a\nvar  x=1\n") == "package a\n\nvar x = 1\n"
    assert target("go").formatter("go.mod", messy) == messy


def test_the_loader_imports_no_target() -> None:
    probe = (
        "import sys\n"
        "from generator.loader import load_spec\n"
        "load_spec(__import__('pathlib').Path('spec/querymt-extism-v1.yaml'))\n"
        "print(sorted(m for m in sys.modules if m.startswith('generator.targets')))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"
