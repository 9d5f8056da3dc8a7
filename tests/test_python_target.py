"""The Python target itself: deterministic output that matches generated/, importable, and
clean under `ruff check` and `mypy --strict`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from generator.formatting import format_text
from generator.loader import load_spec
from generator.targets import python as target

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml")
PACKAGE = ROOT / "generated" / "python" / target.package_name(SPEC)


def test_render_is_deterministic_and_matches_generated() -> None:
    first = target.render(SPEC)
    assert first == target.render(SPEC)
    assert "python/querymt_extism_v1/py.typed" in first
    for path, text in first.items():
        on_disk = ROOT / "generated" / path
        assert on_disk.read_text(encoding="utf-8") == format_text(
            path, text
        ), f"generated/{path} is stale: run `qmt-abigen generate`"


def test_one_method_per_export() -> None:
    import querymt_extism_v1

    for export in SPEC.exports:
        assert callable(getattr(querymt_extism_v1.Plugin, target.python_ident(export.name)))


def test_generated_package_passes_ruff_and_mypy_strict() -> None:
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(PACKAGE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(ROOT / "build" / "mypy-cache"),
            str(PACKAGE),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_skip_if_null_fields_are_left_out_when_none(tmp_path: Path) -> None:
    """A spec field with `skip_if_null` is omitted from the wire JSON, like serde's skip."""
    spec_dir, out_dir = tmp_path / "spec", tmp_path / "out"
    spec_dir.mkdir()
    shutil.copy(ROOT / "spec" / "abi-spec.schema.json", spec_dir)
    text = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "      - {name: items, type: list<Item>, description: Items.}\n",
        "      - {name: items, type: list<Item>, description: Items.}\n"
        "      - {name: note, type: string, description: A note., nullable: true,"
        " skip_if_null: true}\n"
        "      - {name: kept, type: string, description: Kept., nullable: true}\n",
    )
    (spec_dir / "mini.yaml").write_text(text, encoding="utf-8")
    generated = subprocess.run(
        [sys.executable, "-m", "generator", "generate", "--spec-dir", str(spec_dir),
         "--target", "python", "--target", "jsonschema", "--out-dir", str(out_dir)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    probe = (
        "from mini_v1 import models\n"
        "print(models.Request(cfg=1, items=[]).to_wire_json().decode())\n"
        "print(models.Request(cfg=1, items=[], note='n').to_wire_json().decode())\n"
    )
    dumped = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=out_dir / "python", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr
    assert dumped.stdout.splitlines() == [
        '{"cfg":1,"items":[],"kept":null}',
        '{"cfg":1,"items":[],"note":"n","kept":null}',
    ]
