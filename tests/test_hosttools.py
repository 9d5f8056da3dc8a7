"""The seam to the generated bindings (generator/hosttools/bindings.py) writes down the Python
target's naming conventions once; these tests hold it to what the target renders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import ir
from generator.hosttools import bindings as seam
from generator.ir import calls
from generator.loader import load_spec
from generator.resources import BINDINGS_DIR
from generator.targets import python as python_target

ROOT = Path(__file__).resolve().parent.parent
SPECS = [ROOT / "spec" / "querymt-extism-v1.yaml", ROOT / "tests/fixtures/specs/fixture-echo.yaml"]


@pytest.fixture(params=SPECS, ids=lambda p: p.stem)
def spec(request: pytest.FixtureRequest) -> ir.Spec:
    return load_spec(request.param)


def test_package_and_method_names_are_the_python_targets(spec: ir.Spec) -> None:
    assert seam.package_name(spec) == python_target.package_name(spec)
    for method in python_target.methods(spec):
        assert seam.method_name(method.export.name) == method.name


def test_request_arguments_are_the_typed_methods_parameters(spec: ir.Spec) -> None:
    requests = [m for m in python_target.methods(spec) if m.kind is calls.InputShape.REQUEST]
    assert requests
    for method in requests:
        call = calls.call_of(spec, method.export)
        arguments = seam.request_arguments(call, {})
        assert set(arguments.kwargs) == {p.name for p in method.params}
        assert arguments.missing == tuple(p.wire_name for p in method.params if p.default is None)
        everything = {p.wire_name: 1 for p in method.params}
        assert seam.request_arguments(call, everything).missing == ()


def test_a_bindings_error_becomes_a_typed_failure(spec_v1: ir.Spec) -> None:
    bindings = seam.load(spec_v1)
    import querymt_extism_v1.errors as errors

    failure = bindings.failure(errors.HostNotAllowedError("no", url="http://x:1/", cause="c"))
    assert failure is not None
    assert (failure.kind, failure.url, failure.type_name) == (
        seam.FailureKind.HOST_NOT_ALLOWED,
        "http://x:1/",
        "HostNotAllowedError",
    )
    call_error = bindings.failure(errors.PluginCallError("bad", code=3, plugin_message=""))
    assert call_error is not None and call_error.kind is seam.FailureKind.CALL_ERROR
    assert call_error.code == 3
    assert bindings.failure(ValueError("not the bindings'")) is None


LOAD_PROBE = """
import sys
from generator.hosttools import bindings
from generator.hosttools.args import UsageError
from generator.loader import load_spec
from generator.resources import DEFAULT_SPEC
if sys.argv[1:]:
    sys.path.insert(0, sys.argv[1])
    import querymt_extism_runtime  # another copy, imported before the bindings
try:
    loaded = bindings.load(load_spec(DEFAULT_SPEC))
except UsageError as exc:
    print("refused:", exc)
else:
    print("loaded:", loaded.prune_config({"a": 1, "b": 2}, {"properties": {"a": {}}}))
"""


def _load_in_a_fresh_process(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", LOAD_PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_seam_runs_on_the_runtime_shipped_beside_the_bindings(tmp_path: Path) -> None:
    assert _load_in_a_fresh_process() == "loaded: {'a': 1}"
    runtime = BINDINGS_DIR / seam.RUNTIME_PACKAGE
    shutil.copytree(runtime, tmp_path / seam.RUNTIME_PACKAGE)
    refused = _load_in_a_fresh_process(str(tmp_path))
    assert refused.startswith("refused: querymt_extism_v1 in ")
    assert f"runs on the {seam.RUNTIME_PACKAGE} of {tmp_path}" in refused
