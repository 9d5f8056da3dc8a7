"""`verify_plugin()`: runs the registered checks (`generator.conformance.checks.REGISTRY`)
against one plugin and returns a `VerifyReport`; it knows nothing about the command line.

Every check is derived from the spec, so an export added to the spec is checked without new code:

- `wasm`, `extism`: the file is a WebAssembly module that imports Extism's kernel.
- `export`: each export of the spec is present (required) or reported present/absent (optional).
- `load`: the module compiles and instantiates under the verifier's manifest.
- `call`: each export answers a valid input (an example of the spec, `cfg` filled in with the
  configuration) without error; HTTP goes to the built-in loopback server or to `--base-url`.
- `encoding`: the output has the spec's encoding (UTF-8 text, empty for none, JSON).
- `schema`: the decoded output validates against the export's JSON Schema (built from the IR).
- `json-schema`, `config`: an output of content type `application/schema+json` is a JSON Schema
  document (metaschema check) and the configuration used passes it.
- `malformed-input`, `invalid-config`: bad input (malformed JSON, invalid UTF-8, a configuration
  the plugin's own schema rejects) fails the spec's way, with an error message, not a trap.
- `allowed-hosts`: with an allow-list that excludes the server, each HTTP export fails cleanly
  with host-not-allowed, and the loopback server receives nothing.
- `abi` (only without `--spec`): the runtime's detection found the module's ABI; a legacy
  QueryMT plugin is refused.
- For a host-driven ABI (`ir.exchange`): `request` (a built request lies under the configured
  base URL and reaches the server, which replays the recorded response the parse exports then
  get), `malformed-body` (a 2xx body in no provider's format gives a typed error),
  `typed-errors` (a 429 and a 401 classified as the spec's classifiers do), `stream`,
  `stream-ids`, `stream-refusal` (the stream parser's lifecycle, fed line by line).

The plugin runs without the host's environment (its manifest config is empty) and may reach only
the server's host, so a run never leaves 127.0.0.1 unless `--base-url` says so. Configuration
values are never reported: only their keys, and plugin messages have secret values replaced by
`***`. A check that raises, or makes another number of plugin calls than it planned, is a
failed check of its own name, never a traceback.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import ir
from generator.conformance.checks import REGISTRY, ModuleCheck, Registry
from generator.conformance.checks.schema_document import SCHEMA_CONTENT_TYPE
from generator.conformance.context import CheckContext, ProgressFn
from generator.conformance.inputs import default_config, fill_required
from generator.conformance.loopback_server import LoopbackServer
from generator.conformance.report import Status, VerifyReport, plural
from generator.conformance.responses import load_responses
from generator.hosttools import bindings as seam
from generator.hosttools.args import UsageError
from generator.ir import calls
from generator.loader import load_spec
from generator.resources import DEFAULT_SPEC, SPEC_DIR

DEFAULT_TIMEOUT_MS = 3_000
"""Per call: long enough for any loopback answer, short enough to catch an infinite loop fast."""


class VerifyUsageError(UsageError):
    """The invocation is wrong (a file is missing, a value is malformed): exit 2."""


@dataclass(frozen=True)
class PlannedCheck:
    check: str
    export: str
    calls: int


def plan(
    spec: ir.Spec, present: frozenset[str] | None = None, registry: Registry = REGISTRY
) -> list[PlannedCheck]:
    """The export checks that apply to `spec` (to the exports in `present`, default all), in the
    order they run, each with the plugin calls it plans."""
    planned: list[PlannedCheck] = []
    for export in spec.exports:
        if present is not None and export.name not in present:
            continue
        call = calls.call_of(spec, export)
        for check in registry.exports:
            if check.applies(spec, call):
                planned.append(PlannedCheck(check.name, export.name, check.planned_calls(call)))
    return planned


# --------------------------------------------------------------------------- one run


def _internal_error(ctx: CheckContext, name: str, export: str | None, exc: Exception) -> None:
    ctx.add(name, export, Status.FAIL, f"the check itself failed: {type(exc).__name__}: {exc}")


def _run_module_checks(ctx: CheckContext, checks: tuple[ModuleCheck, ...]) -> str | None:
    """Runs the module checks gate by gate; the verdict of the first gate that refuses."""
    pending: tuple[str, list[str]] | None = None
    for check in checks:
        if pending is not None and pending[0] != check.verdict:
            break
        ctx.charged = 0
        try:
            reason = check.run(ctx)
        except Exception as exc:  # a broken check is a failed check, not a traceback
            _internal_error(ctx, check.name, None, exc)
            return f"cannot be verified: the {check.name} check failed"
        if ctx.charged:
            ctx.add(check.name, None, Status.FAIL, f"planned 0 plugin calls, made {ctx.charged}")
        if reason is not None:
            pending = pending or (check.verdict, [])
            pending[1].append(reason)
    if pending is None:
        return None
    return pending[0].format("; ".join(pending[1]))


def _configure(ctx: CheckContext) -> None:
    """Asks the schema export for the plugin's config schema, then settles the configuration:
    the given one or the default (required keys filled in), pruned of keys the schema lacks."""
    present = ctx.module.present
    schema_export = next((e for e in present if e.output.content_type == SCHEMA_CONTENT_TYPE), None)
    if schema_export is not None:
        output = ctx.main_call(schema_export, ctx.bindings.probe_input).output
        if output is not None:
            try:
                parsed = json.loads(output.decode("utf-8"))
            except ValueError:
                parsed = None
            ctx.config_schema = parsed if isinstance(parsed, dict) else None
    schema = ctx.config_schema
    if ctx.user_config is not None:
        config = ctx.user_config
    else:
        config = default_config(ctx.base_url)
        if schema is not None:
            fill_required(config, schema, ctx.base_url)
    if schema is not None:
        config = ctx.bindings.prune_config(config, schema)
    ctx.config = config
    ctx.report.config_keys = tuple(config) if isinstance(config, dict) else ()
    ctx.redact = ctx.bindings.redactor(config)


def _run_export_checks(ctx: CheckContext, registry: Registry) -> None:
    for export in ctx.module.present:
        call = calls.call_of(ctx.spec, export)
        for check in registry.exports:
            if not check.applies(ctx.spec, call):
                continue
            planned = check.planned_calls(call)
            ctx.charged = 0
            ctx.extra_calls = 0
            try:
                check.run(ctx, call)
            except Exception as exc:  # a broken check is a failed check, not a traceback
                _internal_error(ctx, check.name, export.name, exc)
                continue
            planned += ctx.extra_calls
            if ctx.charged != planned:
                detail = f"planned {plural(planned, 'plugin call')}, made {ctx.charged}"
                ctx.add(check.name, export.name, Status.FAIL, detail)


def _run(ctx: CheckContext, registry: Registry, data: bytes) -> None:
    ctx.module.data = data
    try:
        verdict = _run_module_checks(ctx, registry.module)
        if verdict is not None:
            ctx.report.verdict = verdict
            return
        present = frozenset(e.name for e in ctx.module.present)
        ctx.calls_planned = sum(p.calls for p in plan(ctx.spec, present, registry))
        _configure(ctx)
        _run_export_checks(ctx, registry)
    finally:
        for plugin in (ctx.module.main, ctx.module.blocked):
            if plugin is not None:
                plugin.close()


def _spec_path(detection: seam.Detected | seam.Undetected) -> Path:
    """The spec of the detected ABI; for a module of none, the one it lacks least for."""
    if isinstance(detection, seam.Detected):
        return SPEC_DIR / f"{detection.slug}.yaml"
    closest = sorted(detection.missing.items(), key=lambda item: len(item[1]))
    for slug, _ in closest:
        path = SPEC_DIR / f"{slug}.yaml"
        if path.is_file():
            return path
    return DEFAULT_SPEC


@contextmanager
def _maybe_server(
    base_url: str | None, server: LoopbackServer | None
) -> Iterator[LoopbackServer | None]:
    if server is not None or base_url is not None:
        yield server
        return
    with LoopbackServer() as started:
        yield started


def _verdict(report: VerifyReport, spec: ir.Spec) -> str:
    failed = report.failed
    if not failed:
        return f"conforms to {report.describe_abi()}"
    names = ", ".join(f"{c.check} {c.export or ''}".strip() for c in failed[:6])
    more = ", ..." if len(failed) > 6 else ""
    return (
        f"does not conform to {report.describe_abi()}: {plural(len(failed), 'check')} failed "
        f"({names}{more})"
    )


def verify_plugin(
    wasm: Path,
    *,
    config: Any = None,
    base_url: str | None = None,
    server: LoopbackServer | None = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    spec: ir.Spec | None = None,
    progress: ProgressFn | None = None,
    registry: Registry = REGISTRY,
    responses: Path | None = None,
) -> VerifyReport:
    """Runs every check of `registry` for `spec` against the plugin in `wasm`.

    - `spec`: the ABI spec; by default the one whose ABI the runtime detects from the module's
      exports (`detect_abi`). A module of no known ABI is checked against the spec it comes
      closest to (a legacy QueryMT plugin is refused by the `abi` check).
    - `responses`: a directory of the provider's recorded responses (default: the built-in
      OpenAI-compatible set, see `generator.conformance.responses`).

    - `config`: the plugin configuration (default `{"api_key": "sk-verify", "base_url": <server>}`,
      with required keys the plugin's config_schema lists filled in); pruned like the host does.
    - `base_url`: a server to use instead of the built-in loopback server; `server`: a running
      loopback server to use (its recorded requests let `allowed-hosts` prove none arrived).
    - `timeout_ms`: the manifest timeout of each call.

    Raises VerifyUsageError when the invocation is wrong (file missing, bad base URL).
    """
    if timeout_ms <= 0:
        raise VerifyUsageError("the timeout must be a positive number of milliseconds")
    if base_url is not None and server is not None:
        raise VerifyUsageError("give a base URL or a server, not both")
    if not wasm.exists():
        raise VerifyUsageError(f"{wasm} does not exist")
    if not wasm.is_file():
        raise VerifyUsageError(f"{wasm} is not a file")
    try:
        data = wasm.read_bytes()
    except OSError as exc:
        raise VerifyUsageError(f"cannot read {wasm}: {exc.strerror}") from None
    recorded = load_responses(responses)
    detected = seam.detect(data)
    detection = detected if spec is None else None  # what the `abi` check judges
    if spec is None:
        spec = load_spec(_spec_path(detected))
    bindings = seam.load(spec)
    if base_url is not None and bindings.origin_of(base_url) is None:
        raise VerifyUsageError(
            f"--base-url must be an absolute http(s) URL with a literal host, not {base_url!r}"
        )
    started = time.perf_counter()
    with _maybe_server(base_url, server) as active:
        resolved = active.base_url if active is not None else base_url or ""
        report = VerifyReport(
            plugin=str(wasm),
            abi=spec.slug,
            server="loopback" if active is not None else resolved,
            timeout_ms=timeout_ms,
        )
        if isinstance(detected, seam.Detected) and detected.slug == spec.slug:
            report.mode, report.dialect = detected.mode, detected.dialect
        bindings.capture_extism_log()  # for the cause of a trap
        ctx = CheckContext(
            spec=spec,
            bindings=bindings,
            path=wasm,
            user_config=config,
            server=active,
            base_url=resolved,
            timeout_ms=timeout_ms,
            report=report,
            progress=progress,
            redact=bindings.redactor(None),
            responses=recorded,
            detection=detection,
        )
        _run(ctx, registry, data)
    report.elapsed_s = time.perf_counter() - started
    if not report.verdict:
        report.verdict = _verdict(report, spec)
    return report
