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


def test_v2_gets_its_exchange_checks_where_its_protocols_say() -> None:
    rows = _rows(load_spec(ROOT / "spec" / "querymt-extism-v2.yaml"))

    def where(check: str) -> set[str]:
        return {e for c, e, _ in rows if c == check}

    requests = {"list_models_request", "chat_request", "chat_stream_request", "embed_request"}
    assert where("request") == requests | {"complete_request"}
    parses = {"parse_list_models_response", "parse_chat_response", "parse_embed_response"}
    assert where("malformed-body") == parses | {"parse_complete_response"}
    assert where("typed-errors") == {"classify_chat_error"}
    assert where("stream") == {"chat_stream_parser_start"}
    # the bare Config, and from_config: the check_config role whose input is the host's config
    assert where("invalid-config") == {
        "from_config",
        "chat_stream_parser_start",
        "supports_streaming",
    }
    assert where("allowed-hosts") == {"transcribe", "speech"}


def test_v2_applicability_follows_the_protocols_not_the_names() -> None:
    spec = load_spec(ROOT / "spec" / "querymt-extism-v2.yaml")
    new = {e.name: f"x{i}" for i, e in enumerate(spec.exports)}
    protocols = tuple(
        dataclasses.replace(
            p,
            steps=tuple(
                dataclasses.replace(s, export=new.get(s.export or "", s.export)) for s in p.steps
            ),
        )
        for p in spec.protocols
    )
    roles = spec.host.roles
    renamed = dataclasses.replace(
        spec,
        exports=tuple(dataclasses.replace(e, name=new[e.name]) for e in spec.exports),
        protocols=protocols,
        host=dataclasses.replace(
            spec.host, roles=dataclasses.replace(roles, check_config=new[roles.check_config or ""])
        ),
    )
    assert [(c, new[e], n) for c, e, n in _rows(spec)] == _rows(renamed)


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


SEAM = ROOT / "generator" / "hosttools" / "bindings.py"
BINDINGS_PACKAGES = ("querymt_extism_runtime", "querymt_extism_v1")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(source: str) -> list[str]:
    """Where `source` reaches for an underscore name that is not its own: `x._name` on
    anything but `self`/`cls` unless the module defines `_name` itself, `getattr(x, "_name")`,
    an underscore name or a submodule imported from the runtime or the bindings, and on the
    seam's handles (`self._rt`, `self._b`, `self._abi`) any name outside the public API."""
    import ast

    import querymt_extism_runtime
    import querymt_extism_v1

    public = {
        "_rt": set(querymt_extism_runtime.__all__),
        "_b": {*querymt_extism_v1.__all__, "plugin"},
        "_abi": {n for n in dir(querymt_extism_v1.plugin.ABI) if not n.startswith("_")},
    }
    tree = ast.parse(source)
    own_names = {  # the module's own private methods and attributes, which it may use anywhere
        node.name if isinstance(node, ast.FunctionDef) else node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        or (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        )
    }
    found = []
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute):
            owner = node.value
            own = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
            if _private(node.attr) and not own and node.attr not in own_names:
                found.append(f"{where}: .{node.attr}")
            handle = (
                owner.attr
                if isinstance(owner, ast.Attribute)
                and isinstance(owner.value, ast.Name)
                and owner.value.id == "self"
                else None
            )
            if handle in public and node.attr not in public[handle]:
                found.append(f"{where}: self.{handle}.{node.attr} is not public")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = node.args
            if node.func.id in ("getattr", "hasattr", "setattr") and len(args) > 1:
                name = args[1]
                if isinstance(name, ast.Constant) and _private(str(name.value)):
                    found.append(f"{where}: {node.func.id}(..., {name.value!r})")
        elif isinstance(node, ast.ImportFrom) and node.module:
            top, _, sub = node.module.partition(".")
            if top in BINDINGS_PACKAGES and sub:
                found.append(f"{where}: from {node.module} import (a submodule)")
            if top in BINDINGS_PACKAGES:
                found += [f"{where}: import {a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top, _, sub = alias.name.partition(".")
                if top in BINDINGS_PACKAGES and sub:
                    found.append(f"{where}: import {alias.name} (a submodule)")
    return sorted(found, key=lambda f: (int(f.split()[1].rstrip(":")), f))


def test_the_private_use_check_sees_what_the_seam_used_to_do() -> None:
    before = """
class Bindings:
    def redactor(self, config):
        return self._b._runtime.Redactor(config)

    def open(self, plugin, pool):
        pool.acquire(plugin._new_state)
        return self._rt.compile_module, self._rt.Module.checkout, self._b.plugin, self._abi.slug

    def problems(self, config, schema):
        from querymt_extism_runtime.config import schema_problems
        from querymt_extism_v1.plugin import _schema_problems
        return getattr(self._b.plugin, "_schema_problems"), self._rt.plugin_logger
"""
    assert private_uses(before) == [
        "line 4: ._runtime",
        "line 4: self._b._runtime is not public",
        "line 7: ._new_state",
        "line 11: from querymt_extism_runtime.config import (a submodule)",
        "line 12: from querymt_extism_v1.plugin import (a submodule)",
        "line 12: import _schema_problems",
        "line 13: getattr(..., '_schema_problems')",
        "line 13: self._rt.plugin_logger is not public",
    ]


def test_no_tool_module_touches_a_private_name_of_the_bindings_or_the_runtime() -> None:
    paths = [
        path
        for folder in ("conformance", "hosttools")
        for path in sorted((ROOT / "generator" / folder).rglob("*.py"))
    ]
    assert SEAM in paths
    offenders = [
        f"{path.relative_to(ROOT)} {use}"
        for path in paths
        for use in private_uses(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    # The bindings are reached only through the seam.
    others = [p for p in paths if p != SEAM]
    assert [
        p.name for p in others if re.search(r"\bimport_module\b|querymt_extism_", p.read_text())
    ] == []
