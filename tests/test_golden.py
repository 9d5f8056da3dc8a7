"""A second, made-up ABI through every target beside v1, against committed golden output.

The fixture (`fixtures/specs/fixture-echo.yaml`) has other exports, encodings and role names
than QueryMT's v1, an internally tagged enum and a host import, so a target that quietly
assumes v1 fails here. `QMT_UPDATE_GOLDEN=1` rewrites `golden/` after a deliberate change;
review the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import ir
from generator.loader import load_spec
from generator.pipeline import render_all
from generator.targets import UnsupportedByTarget, target

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = HERE / "fixtures" / "specs" / "fixture-echo.yaml"
GOLDEN = HERE / "golden" / "fixture-echo-v3"
TARGETS = ("docs", "jsonschema", "python")  # the Rust target needs per-version glue (below)
RUNTIME = "python/querymt_extism_runtime/"  # the host runtime, the same for every spec


def is_shared(rel: str) -> bool:
    """Files of the one distribution every spec's package lives in, not of one spec."""
    return rel in ("python/pyproject.toml", "python/README.md") or rel.startswith(RUNTIME)


@pytest.fixture(scope="module")
def spec() -> ir.Spec:
    return load_spec(FIXTURE)


@pytest.fixture(scope="module")
def rendered(spec: ir.Spec) -> dict[str, str]:
    files = render_all([spec], TARGETS)
    if os.environ.get("QMT_UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in files.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    return files


def test_the_fixture_is_not_v1(spec: ir.Spec) -> None:
    assert spec.slug == "fixture-echo-v3"
    shapes = {name: (c.input, c.output) for name, c in ir.calls.calls(spec).items()}
    assert shapes == {
        "title": (ir.calls.InputShape.IGNORED, ir.calls.OutputShape.TEXT),
        "settings_schema": (ir.calls.InputShape.IGNORED, ir.calls.OutputShape.TEXT),
        "shout": (ir.calls.InputShape.TEXT, ir.calls.OutputShape.TEXT),
        "echo": (ir.calls.InputShape.REQUEST, ir.calls.OutputShape.JSON),
        "last_shape": (ir.calls.InputShape.IGNORED, ir.calls.OutputShape.JSON),
    }
    shape = spec.type("Shape")
    assert isinstance(shape, ir.EnumType) and shape.tagging is ir.Tagging.INTERNAL
    assert spec.host.roles == ir.HostRoles(display_name="title", config_schema="settings_schema")
    assert [i.name for i in spec.imports] == ["now_ms"]


def test_every_target_renders_the_golden_output(rendered: dict[str, str]) -> None:
    on_disk = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN.rglob("*"))
        if p.is_file() and not {"__pycache__", ".mypy_cache"} & set(p.parts)
    }
    assert sorted(on_disk) == sorted(rendered)
    for rel, text in rendered.items():
        assert on_disk[rel] == text, f"{rel} differs from golden; QMT_UPDATE_GOLDEN=1 rewrites it"
    per_spec = [rel for rel in rendered if not is_shared(rel)]
    assert all("fixture-echo-v3" in rel or "fixture_echo_v3" in rel for rel in per_spec)
    assert not any("querymt" in rel for rel in per_spec)
    assert f"{RUNTIME}__init__.py" in rendered


def test_it_renders_beside_v1_without_touching_v1(spec: ir.Spec) -> None:
    v1 = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml")
    both = render_all([v1, spec], TARGETS)
    alone = render_all([v1], TARGETS)
    for rel, text in alone.items():
        if rel not in ("python/pyproject.toml", "python/README.md"):  # one distribution
            assert both[rel] == text, rel
    assert {rel for rel in both if "fixture" in rel} == {
        rel for rel in render_all([spec], TARGETS) if not is_shared(rel)
    }
    assert [rel for rel in both if rel.startswith(RUNTIME)] == [
        rel for rel in alone if rel.startswith(RUNTIME)
    ]  # one runtime for both
    assert "fixture_echo_v3" in both["python/pyproject.toml"]
    assert "querymt_extism_v1" in both["python/pyproject.toml"]


def test_the_roles_drive_the_generated_load_sequence(rendered: dict[str, str]) -> None:
    plugin = rendered["python/fixture_echo_v3/plugin.py"]
    # The roles are data the runtime's load sequence reads (PluginBase._open).
    assert 'display_name="title",' in plugin
    assert 'config_schema="settings_schema",' in plugin
    assert "base_url=None," in plugin and "check_config=None," in plugin
    assert '"name"' not in plugin and '"base_url"' not in plugin


def test_the_rust_target_asks_for_its_per_version_glue(spec: ir.Spec) -> None:
    with pytest.raises(UnsupportedByTarget) as caught:
        target("rust").render(spec)
    assert (
        "no hand-written glue for fixture-echo-v3 (templates/rust/fixture-echo-v3/glue.yaml)"
        in str(caught.value)
    )


def test_the_generated_python_imports_and_type_checks(rendered: dict[str, str]) -> None:
    del rendered  # the golden package is what was just compared
    probe = (
        "from fixture_echo_v3 import models, plugin\n"
        'wire = b\'{"shapes":[{"kind":"Square","side":2.0,"label":"a"},'
        '{"kind":"Dot"}],"total":2}\'\n'
        "echoed = models.Echoed.from_wire(wire)\n"
        "print([type(s).__name__ for s in echoed.shapes])\n"
        "print(echoed.to_wire_json() == wire)\n"
        "print(models.ShapeSquare(side=1.0).to_wire_json().decode())\n"  # skip_if_null label
        "print(plugin.Plugin.echo.__annotations__['repeat'], plugin.Plugin.shout.__name__)\n"
    )
    quiet = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # leave the golden tree as it is
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=GOLDEN / "python", env=quiet, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [
        "['ShapeSquare', 'ShapeDot']",
        "True",
        '{"kind":"Square","side":1.0}',
        "U16 shout",
    ]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", os.devnull, "fixture_echo_v3"],
        cwd=GOLDEN / "python", env=quiet, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
