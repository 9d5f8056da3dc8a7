"""The conformance runner: which registered checks apply is decided from IR facts alone, and a
broken check (a wrong planned-call count, an exception) is a failed check, not a traceback."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator import ir
from generator.conformance.checks import REGISTRY, Registry
from generator.conformance.context import CheckContext
from generator.conformance.loopback_server import LoopbackServer
from generator.conformance.report import Status
from generator.conformance.runner import plan, verify_plugin
from generator.ir import calls
from generator.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "specs" / "fixture-echo.yaml"


def _rows(spec: ir.Spec) -> list[tuple[str, str, int]]:
    return [(p.check, p.export, p.calls) for p in plan(spec)]


def test_the_fixture_spec_gets_the_checks_its_ir_calls_for() -> None:
    spec = load_spec(FIXTURE)
    assert _rows(spec) == [
        ("call", "title", 1),  # ignored input: nothing malformed to send
        ("call", "settings_schema", 1),
        ("json-schema", "settings_schema", 0),  # content type application/schema+json
        ("call", "shout", 1),
        ("malformed-input", "shout", 1),  # utf8 input: invalid UTF-8
        ("call", "echo", 1),
        ("malformed-input", "echo", 1),  # a request with the config in a field: not CONFIG
        ("call", "last_shape", 1),
    ]  # no export does HTTP: no allowed-hosts


def test_v1_gets_invalid_config_and_allowed_hosts_where_its_ir_says() -> None:
    spec = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml")
    rows = _rows(spec)
    invalid = {e for c, e, _ in rows if c == "invalid-config"}
    assert invalid == {
        e.name for e in spec.exports if calls.call_of(spec, e).input is calls.InputShape.CONFIG
    }
    assert invalid == {"from_config"}
    http = {e for c, e, _ in rows if c == "allowed-hosts"}
    assert (
        http
        == {e.name for e in spec.exports if e.does_http}
        == {
            "list_models",
            "chat",
            "embed",
            "complete",
        }
    )
    # The planned total is what the progress bar counts down.
    assert sum(n for _, _, n in rows) == 9 + 5 + 1 + 4  # call, malformed, invalid, hosts


def test_applicability_never_depends_on_export_names() -> None:
    spec = load_spec(FIXTURE)
    renamed = dataclasses.replace(
        spec,
        exports=tuple(dataclasses.replace(e, name=f"x{i}") for i, e in enumerate(spec.exports)),
    )
    assert [(c, n) for c, _, n in _rows(renamed)] == [(c, n) for c, _, n in _rows(spec)]
    present = frozenset({"shout", "echo"})
    assert {p.export for p in plan(spec, present)} == present


class _Miscounting:
    """Plans no call but makes one: the runner must notice."""

    name = "miscounting"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        return call.input is calls.InputShape.IGNORED

    def planned_calls(self, call: calls.Call) -> int:
        return 0

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        ctx.call(ctx.module.main, call.export.name, ctx.bindings.probe_input, self.name)
        ctx.add(self.name, call.export.name, Status.PASS, "looked fine to itself")


class _Undercounting(_Miscounting):
    name = "undercounting"

    def planned_calls(self, call: calls.Call) -> int:
        return 2

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        pass


class _Raising(_Miscounting):
    name = "raising"

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        raise RuntimeError("a bug in the check")


class _RaisingModuleCheck:
    name = "module-bug"
    verdict = "never used ({})"

    def run(self, ctx: CheckContext) -> str | None:
        raise KeyError("header")


def test_a_broken_export_check_is_a_failed_check(
    openai_wasm: Path, loopback: LoopbackServer
) -> None:
    broken = Registry(
        module=REGISTRY.module,
        exports=(*REGISTRY.exports, _Miscounting(), _Undercounting(), _Raising()),
    )
    report = verify_plugin(openai_wasm, server=loopback, registry=broken)
    failed = {(c.check, c.export): c.detail for c in report.failed}
    ignored = ["name", "base_url", "api_key_name", "config_schema"]  # inputs the plugin ignores
    assert failed == {
        **{("miscounting", e): "planned 0 plugin calls, made 1" for e in ignored},
        **{("undercounting", e): "planned 2 plugin calls, made 0" for e in ignored},
        **{
            ("raising", e): "the check itself failed: RuntimeError: a bug in the check"
            for e in ignored
        },
    }
    # The registered checks still ran and passed, after the broken ones of each export too.
    clean = verify_plugin(openai_wasm, server=loopback)
    kept = [c for c in report.checks if c.check not in {"miscounting", "undercounting", "raising"}]
    assert [(c.check, c.export, c.status) for c in kept] == [
        (c.check, c.export, c.status) for c in clean.checks
    ]
    assert report.verdict.startswith("does not conform to querymt-extism-v1: 12 checks failed")
    assert not report.ok


def test_a_broken_module_check_stops_the_run_with_a_verdict(
    openai_wasm: Path, loopback: LoopbackServer
) -> None:
    broken = Registry(module=(REGISTRY.module[0], _RaisingModuleCheck()), exports=REGISTRY.exports)
    report = verify_plugin(openai_wasm, server=loopback, registry=broken)
    assert [(c.check, c.status) for c in report.checks] == [
        ("wasm", Status.PASS),
        ("module-bug", Status.FAIL),
    ]
    assert report.checks[1].detail == "the check itself failed: KeyError: 'header'"
    assert report.verdict == "cannot be verified: the module-bug check failed"
    assert loopback.requests == []


@pytest.mark.parametrize("package", ["generator.conformance", "generator.hosttools"])
def test_the_host_side_tools_import_no_target(package: str) -> None:
    probe = (
        "import importlib, pkgutil, sys\n"
        f"import {package} as root\n"
        "for info in pkgutil.walk_packages(root.__path__, root.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('generator.targets')))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"


PRIVATE_BINDINGS = tuple(
    re.compile(p)
    for p in (
        r"\._runtime\b",
        r"\._http\b",
        r"\b_new_state\b",
        r"\b_schema_problems\b",
        r"\.plugin\.",
    )
)


def test_only_the_seam_touches_the_bindings_internals() -> None:
    seam = ROOT / "generator" / "hosttools" / "bindings.py"
    offenders = []
    for folder in ("conformance", "hosttools"):
        for path in sorted((ROOT / "generator" / folder).rglob("*.py")):
            if path == seam:
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.name}: {p.pattern}" for p in PRIVATE_BINDINGS if p.search(text)]
    assert offenders == []
    assert all(p.search(seam.read_text(encoding="utf-8")) for p in PRIVATE_BINDINGS)
