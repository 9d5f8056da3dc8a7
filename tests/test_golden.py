"""A second, made-up ABI through every target beside v1, against committed golden output.

The fixture (`fixtures/specs/fixture-echo.yaml`) has other exports, encodings and role names
than QueryMT's v1, an internally tagged enum and a host import, so a target that quietly
assumes v1 fails here. `QMT_UPDATE_GOLDEN=1` rewrites `golden/` after a deliberate change;
review the diff before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import ir
from generator.loader import load_spec
from generator.pipeline import render_all
from generator.targets import target

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = HERE / "fixtures" / "specs" / "fixture-echo.yaml"
GOLDEN = HERE / "golden" / "fixture-echo-v3"
TARGETS = ("docs", "jsonschema", "python", "rust", "go")
PLUGIN = HERE / "rust" / "fixture-echo"  # a plugin of the fixture ABI against the golden crate
RUNTIME = "python/querymt_extism_runtime/"  # the host runtime, the same for every spec
RUNTIME_SOURCE = ROOT / "templates" / "python" / "runtime"
"""Where the runtime the fixture package imports lives; the golden tree does not copy it."""


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
            if rel.startswith(RUNTIME):
                continue  # copied verbatim from RUNTIME_SOURCE, compared with it below
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
    per_abi = {rel: text for rel, text in rendered.items() if not rel.startswith(RUNTIME)}
    assert sorted(on_disk) == sorted(per_abi)
    for rel, text in per_abi.items():
        assert on_disk[rel] == text, f"{rel} differs from golden; QMT_UPDATE_GOLDEN=1 rewrites it"
    for rel, text in rendered.items():
        if rel.startswith(RUNTIME):
            source = RUNTIME_SOURCE / rel.removeprefix("python/")
            assert source.read_text(encoding="utf-8") == text, f"{rel} is not its source"
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


def test_the_rust_crate_is_the_generic_guest_part(spec: ir.Spec) -> None:
    """No glue folder for the fixture: types, runtime, one entry per export, the macro."""
    files = target("rust").render(spec)
    crate = "rust/fixture-echo-v3/"
    assert sorted(files) == [
        crate + rel
        for rel in (
            "Cargo.toml",
            "README.md",
            "src/guest/exports.rs",
            "src/guest/macros.rs",
            "src/guest/mod.rs",
            "src/guest/runtime.rs",
            "src/lib.rs",
            "src/types.rs",
        )
    ]
    exports = files[crate + "src/guest/exports.rs"]
    assert "fn shout(input: String) -> Result<String, Failure>;" in exports
    assert "fn last_shape() -> Result<Option<crate::types::Shape>, Failure> {" in exports
    assert "crate::types::EchoRequest<Self::Config>" in exports
    runtime = files[crate + "src/guest/runtime.rs"]
    assert '#[link(wasm_import_module = "extism:host/user")]' in runtime
    assert "pub fn now_ms() -> i64 {" in runtime
    everything = "".join(files.values())
    assert "querymt::" not in everything and "LLMError" not in everything  # no v1 glue


@pytest.fixture(scope="module")
def fixture_plugin(rendered: dict[str, str]) -> bytes:
    """tests/rust/fixture-echo built against the golden crate (compared above) with -D warnings."""
    del rendered
    from cargo_wasm import build_wasm

    wasm, _ = build_wasm(PLUGIN)
    return wasm


def test_the_fixture_plugin_exports_the_spec_and_imports_its_host_function(
    spec: ir.Spec, fixture_plugin: bytes
) -> None:
    from wasm_reader import wasm_interface

    imports, exports = wasm_interface(fixture_plugin)
    functions = sorted(name for name, kind in exports.items() if kind == 0)
    assert functions == sorted(e.name for e in spec.exports)
    assert ("extism:host/user", "now_ms") in imports
    modules = {module for module, _ in imports}  # WASI: Rust's std for wasm32-wasi
    assert modules == {"extism:host/env", "extism:host/user", "wasi_snapshot_preview1"}


def test_the_fixture_plugin_runs_every_export(fixture_plugin: bytes) -> None:
    import extism
    from extism_log import release

    @extism.host_fn(name="now_ms", signature=([], [extism.ValType.I64]))
    def now_ms(plugin: object, params: list[object], results: list[object], *data: object) -> None:
        del plugin, params, data
        results[0].value = 1234  # type: ignore[attr-defined]

    plugin = extism.Plugin(fixture_plugin, wasi=True, functions=[now_ms])
    try:
        assert plugin.call("title", b"null") == b"Echo at 1234"
        assert plugin.call("settings_schema", b"null") == b'{"type":"object"}'
        assert plugin.call("shout", "hé".encode()) == "HÉ".encode()
        assert plugin.call("last_shape", b"null") == b""  # empty_is_none: nothing echoed yet
        square = {"kind": "Square", "side": 2.0}  # `label: None` is skipped when written
        answer = plugin.call("echo", json.dumps({"settings": {}, "shape": square, "repeat": 2}))
        assert json.loads(answer) == {"shapes": [square, square], "total": 2}
        assert json.loads(plugin.call("echo", b'{"settings": {}, "shape": {"kind": "Dot"}}')) == {
            "shapes": [{"kind": "Dot"}],
            "total": 1,  # `repeat` defaults to 1
        }
        assert plugin.call("last_shape", b"null") == b'{"kind":"Dot"}'
        with pytest.raises(extism.Error, match=r"^repeat must be at least 1$"):
            plugin.call("echo", b'{"settings": {}, "shape": {"kind": "Dot"}, "repeat": 0}')
        with pytest.raises(extism.Error, match=r"^unknown variant `Circle`"):
            plugin.call("echo", b'{"settings": {}, "shape": {"kind": "Circle"}}')
        with pytest.raises(extism.Error, match="utf-8"):
            plugin.call("shout", b"\xff")
    finally:
        release(plugin)


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
    quiet = {  # leave the golden tree as it is; the runtime comes from its source
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(RUNTIME_SOURCE),
        "MYPYPATH": str(RUNTIME_SOURCE),
    }
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


def test_the_go_module_is_vet_clean_for_the_host_and_for_wasip1() -> None:
    """The fixture's Go module (other encodings, an internally tagged enum with a unit
    variant, a default, a host import) compiles as the codecs alone and as a plugin's guest."""
    from generator.gotool import go_binary, go_env, wasm_env

    module = GOLDEN / "go" / "fixture-echo-v3"
    for env in (go_env(), wasm_env()):
        vet = subprocess.run(
            [go_binary(), "vet", "./..."], cwd=module, env=env, capture_output=True, text=True
        )
        assert vet.returncode == 0, vet.stderr


@pytest.fixture(scope="module")
def go_fixture_plugin(rendered: dict[str, str]) -> bytes:
    """tests/go/fixture-echo built for wasip1 against the golden Go module (compared above)."""
    del rendered
    from go_wasm import build_go_wasm

    wasm, _ = build_go_wasm(HERE / "go" / "fixture-echo")
    return wasm


def test_the_go_fixture_plugin_exports_the_spec_and_runs_every_export(
    spec: ir.Spec, go_fixture_plugin: bytes
) -> None:
    import extism
    from extism_log import release
    from wasm_reader import wasm_interface

    imports, exports = wasm_interface(go_fixture_plugin)
    functions = sorted(name for name, kind in exports.items() if kind == 0)
    assert functions == sorted([*(e.name for e in spec.exports), "_initialize"])
    assert ("extism:host/user", "now_ms") in imports

    @extism.host_fn(name="now_ms", signature=([], [extism.ValType.I64]))
    def now_ms(plugin: object, params: list[object], results: list[object], *data: object) -> None:
        del plugin, params, data
        results[0].value = 1234  # type: ignore[attr-defined]

    plugin = extism.Plugin(go_fixture_plugin, wasi=True, functions=[now_ms])
    try:
        assert plugin.call("title", b"null") == b"Echo at 1234"
        assert plugin.call("settings_schema", b"null") == b'{"type":"object"}'
        assert plugin.call("shout", "hé".encode()) == "HÉ".encode()
        assert plugin.call("last_shape", b"null") == b""  # empty_is_none: nothing echoed yet
        square = {"kind": "Square", "side": 2.0}  # `label: None` is skipped when written
        answer = plugin.call("echo", json.dumps({"settings": {}, "shape": square, "repeat": 2}))
        assert json.loads(answer) == {"shapes": [square, square], "total": 2}
        assert json.loads(plugin.call("echo", b'{"settings": {}, "shape": {"kind": "Dot"}}')) == {
            "shapes": [{"kind": "Dot"}],
            "total": 1,  # `repeat` defaults to 1
        }
        assert plugin.call("last_shape", b"null") == b'{"kind":"Dot"}'
        with pytest.raises(extism.Error, match=r"^repeat must be at least 1$"):
            plugin.call("echo", b'{"settings": {}, "shape": {"kind": "Dot"}, "repeat": 0}')
        with pytest.raises(extism.Error, match=r"^unknown variant `Circle`"):
            plugin.call("echo", b'{"settings": {}, "shape": {"kind": "Circle"}}')
        with pytest.raises(extism.Error, match="utf-8"):
            plugin.call("shout", b"\xff")
    finally:
        release(plugin)
