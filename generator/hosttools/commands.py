"""`qmt-abigen inspect` and `qmt-abigen call`: drive a plugin through the generated bindings.

Both load the generated Python package of a spec (`generated/python/<package>`), so they behave
exactly like a host using the bindings. User errors print one line without a traceback and exit
with the status of `generator.exit_codes`: 2 for a wrong invocation or input (missing file, bad
JSON, a configuration the plugin rejects), 1 when the plugin is not one or a call fails. Secrets
of the configuration never appear in the output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, assert_never

import typer

from generator import exit_codes, ir
from generator.hosttools import bindings as seam
from generator.hosttools.args import UsageError, read_json_arg
from generator.ir import calls
from generator.loader import load_spec
from generator.resources import DEFAULT_SPEC

INSPECT_EPILOG = exit_codes.epilog(
    "the plugin implements every required export",
    "it does not (missing exports), is not WebAssembly, or fails to load",
    "bad usage: a missing or unreadable file, an invalid spec",
)
CALL_EPILOG = exit_codes.epilog(
    "the call succeeded; its output is on stdout",
    "the plugin failed: not WebAssembly, load failure, an error, trap, timeout or out of memory",
    "bad usage or input: missing file, bad JSON, input or configuration the spec rejects",
)


class _Failure(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _fail(message: str, code: int) -> typer.Exit:
    return exit_codes.fail(f"error: {message}", code)


def _load(spec_path: Path) -> tuple[ir.Spec, seam.Bindings]:
    try:
        spec = load_spec(spec_path)
        return spec, seam.load(spec)
    except UsageError as exc:
        raise _Failure(str(exc), exit_codes.USAGE) from None
    except Exception as exc:  # a SpecError renders itself
        render = getattr(exc, "render", None)
        message = render() if callable(render) else f"cannot load {spec_path}: {exc}"
        raise _Failure(message, exit_codes.USAGE) from None


def _read_json(value: str, what: str) -> Any:
    try:
        return read_json_arg(value, what)
    except UsageError as exc:
        raise _fail(str(exc), exit_codes.USAGE) from None


def _read_plugin(bindings: seam.Bindings, plugin: Path) -> seam.WasmHeader:
    """The plugin's wasm header; a missing file is bad usage, a file that is not wasm fails."""
    try:
        data = plugin.read_bytes()
    except OSError as exc:
        raise _Failure(f"cannot read {plugin}: {exc.strerror}", exit_codes.USAGE) from None
    try:
        return bindings.read_wasm_header(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Failure(f"{plugin}: {exc}", exit_codes.FAILED) from None


def _plugin_error_code(failure: seam.PluginFailure) -> int:
    """Input the spec or the plugin's config_schema rejects is the caller's; the rest fails."""
    if failure.kind in (seam.FailureKind.CONFIG, seam.FailureKind.INPUT):
        return exit_codes.USAGE
    return exit_codes.FAILED


DEFAULT_TIMEOUT_MS = 60_000
INSPECT_TIMEOUT_MS = 10_000


def _open(
    bindings: seam.Bindings,
    wasm: Path,
    config: Any,
    allow_hosts: list[str],
    timeout_ms: int | None,
    max_pages: int | None = None,
) -> seam.TypedPlugin:
    try:
        return bindings.open(
            wasm, config, allowed_hosts=allow_hosts, timeout_ms=timeout_ms, max_pages=max_pages
        )
    except seam.PluginFailed as exc:
        failure = exc.failure
        raise _Failure(f"{failure.type_name}: {failure}", _plugin_error_code(failure)) from None


def inspect_command(
    plugin: Annotated[Path, typer.Argument(help="The plugin's .wasm file.", show_default=False)],
    spec_path: Annotated[Path, typer.Option("--spec", help="The ABI spec.")] = DEFAULT_SPEC,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (on failure too).")
    ] = False,
    timeout_ms: Annotated[
        int, typer.Option("--timeout-ms", min=1, help="Limit of each call (and of loading).")
    ] = INSPECT_TIMEOUT_MS,
) -> None:
    """Show a plugin's name, base URL, exports (present and missing) and config schema."""
    report: dict[str, Any] = {"plugin": str(plugin), "abi": None, "compatible": False}
    try:
        spec, bindings = _load(spec_path)
        report["abi"] = spec.slug
        functions = _read_plugin(bindings, plugin).function_exports
        header_missing = [e.name for e in spec.exports if e.name not in functions]
        required_missing = [e.name for e in spec.required_exports if e.name in header_missing]
        if required_missing:
            report["missing_required"] = required_missing
            report["missing_optional"] = [n for n in header_missing if n not in required_missing]
            report["exports"] = sorted(functions)
            _print_report(report, as_json)
            raise typer.Exit(exit_codes.FAILED)
        loaded = _open(bindings, plugin, None, [], timeout_ms)
    except _Failure as exc:
        if as_json:
            typer.echo(json.dumps({**report, "error": str(exc)}, indent=2, sort_keys=True))
        raise _fail(str(exc), exc.code) from None
    info = loaded.info
    report.update(
        {
            "compatible": True,
            "name": info.name,
            "base_url": info.base_url,
            "wasi": info.wasi,
            "exports": sorted(info.exports),
            "missing_optional": sorted(info.missing),
            "extra_exports": list(info.extra_exports),
            "config_schema": info.config_schema,
        }
    )
    loaded.close()
    _print_report(report, as_json)


def _print_report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report, indent=2, sort_keys=True))
        return
    for key, value in report.items():
        if key == "config_schema":
            typer.echo("config_schema:")
            typer.echo("  " + json.dumps(value, indent=2, sort_keys=True).replace("\n", "\n  "))
        elif isinstance(value, list):
            typer.echo(f"{key}: {', '.join(value) if value else '-'}")
        else:
            typer.echo(f"{key}: {value}")


def call_command(
    plugin: Annotated[Path, typer.Argument(help="The plugin's .wasm file.", show_default=False)],
    export: Annotated[str, typer.Argument(help="The export to call.", show_default=False)],
    config: Annotated[
        str | None, typer.Option("--config", help="Configuration: a JSON file or inline JSON.")
    ] = None,
    input_: Annotated[
        str | None,
        typer.Option(
            "--input",
            help="The export's input (JSON file or inline); `cfg` is filled in from --config.",
        ),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another origin the plugin may reach (repeatable): a URL, a host (http on 80, "
            "https on 443) or host:port. Literal, never a pattern.",
        ),
    ] = None,
    timeout_ms: Annotated[
        int, typer.Option("--timeout-ms", min=1, help="Per-call timeout in milliseconds.")
    ] = DEFAULT_TIMEOUT_MS,
    memory_max_pages: Annotated[
        int | None,
        typer.Option(
            "--memory-max-pages",
            min=1,
            help="Plugin memory limit in 64 KiB pages (default: the bindings' 1024, 64 MiB); "
            "raise it for large inputs.",
            show_default=False,
        ),
    ] = None,
    spec_path: Annotated[Path, typer.Option("--spec", help="The ABI spec.")] = DEFAULT_SPEC,
) -> None:
    """Call one export with the spec's encodings and print its decoded output as JSON."""
    try:
        spec, bindings = _load(spec_path)
    except _Failure as exc:
        raise _fail(str(exc), exc.code) from None
    if export not in {e.name for e in spec.exports}:
        names = ", ".join(e.name for e in spec.exports)
        raise _fail(f"{export!r} is not an export of {spec.slug}: {names}", exit_codes.USAGE)
    call = calls.call_of(spec, spec.export(export))
    cfg = _read_json(config, "--config") if config is not None else None
    payload = _read_json(input_, "--input") if input_ is not None else None
    if cfg is not None and not isinstance(cfg, dict):
        raise _fail("--config must be a JSON object", exit_codes.USAGE)
    try:
        _read_plugin(bindings, plugin)
        loaded = _open(bindings, plugin, cfg, list(allow_host or []), timeout_ms, memory_max_pages)
    except _Failure as exc:
        raise _fail(str(exc), exc.code) from None
    redact = bindings.redactor(cfg)
    try:
        result = _call(bindings, loaded, call, payload)
    except seam.PluginFailed as exc:
        failure = exc.failure
        if cfg is None and failure.kind is seam.FailureKind.CONFIG:
            raise _fail(
                f"{export} sends the plugin's configuration: pass --config (a JSON file or "
                "inline JSON)",
                exit_codes.USAGE,
            ) from None
        raise _fail(
            redact(f"{failure.type_name}: {failure}"), _plugin_error_code(failure)
        ) from None
    finally:
        loaded.close()
    from pydantic_core import to_jsonable_python

    # The output may echo the configuration (from_config does): its secrets are masked too.
    text = json.dumps(to_jsonable_python(result, by_alias=True), indent=2, ensure_ascii=False)
    typer.echo(redact(text))


def _call(bindings: seam.Bindings, loaded: seam.TypedPlugin, call: calls.Call, payload: Any) -> Any:
    """Calls the export's typed method with `--input` shaped the way its call shape takes it."""
    export = call.export.name
    match call.input:
        case calls.InputShape.IGNORED:
            return bindings.call_typed(loaded, export)
        case calls.InputShape.TEXT:
            text = payload if isinstance(payload, str) else json.dumps(payload)
            return bindings.call_typed(loaded, export, text)
        case calls.InputShape.CONFIG | calls.InputShape.JSON:
            if payload is None:
                return bindings.call_typed(loaded, export)
            return bindings.call_typed(loaded, export, payload)
        case calls.InputShape.REQUEST:
            if not isinstance(payload, dict):
                raise _fail(f"--input of {export} must be a JSON object", exit_codes.USAGE)
            arguments = seam.request_arguments(call, payload)
            if arguments.missing:
                missing = ", ".join(arguments.missing)
                raise _fail(f"--input of {export} lacks {missing}", exit_codes.USAGE)
            return bindings.call_typed(loaded, export, **arguments.kwargs)
        case other:
            assert_never(other)


def register(app: typer.Typer) -> None:
    """Adds `inspect` and `call` to the `qmt-abigen` app."""
    app.command("inspect", epilog=INSPECT_EPILOG)(inspect_command)
    app.command("call", epilog=CALL_EPILOG)(call_command)
