"""`qmt-abigen inspect` and `qmt-abigen call`: drive a plugin through the generated bindings.

Both load the generated Python package of a spec (`generated/python/<package>`), so they behave
exactly like a host using the bindings. User errors (unreadable files, bad JSON, a plugin that
fails) print one line and exit non-zero, without a traceback; secrets of the configuration never
appear in the output.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer

from generator import ir
from generator.host_support import UsageError, load_bindings, read_json_arg
from generator.loader import SPEC_DIR, load_spec
from generator.targets import python as python_target

DEFAULT_SPEC = SPEC_DIR / "querymt-extism-v1.yaml"


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _load(spec_path: Path) -> tuple[ir.Spec, ModuleType]:
    try:
        spec = load_spec(spec_path)
    except Exception as exc:  # a SpecError renders itself; anything else is a path problem
        render = getattr(exc, "render", None)
        raise _fail(
            render() if callable(render) else f"cannot load {spec_path}: {exc}", 2
        ) from None
    try:
        return spec, load_bindings(spec)
    except UsageError as exc:
        raise _fail(str(exc), 2) from None


def _read_json(value: str, what: str) -> Any:
    try:
        return read_json_arg(value, what)
    except UsageError as exc:
        raise _fail(str(exc), 2) from None


DEFAULT_TIMEOUT_MS = 60_000
INSPECT_TIMEOUT_MS = 10_000


def _open(
    bindings: ModuleType,
    wasm: Path,
    config: Any,
    allow_hosts: list[str],
    timeout_ms: int,
) -> Any:
    cls = bindings.Plugin
    try:
        return cls.open(wasm, config, allowed_hosts=tuple(allow_hosts), timeout_ms=timeout_ms)
    except bindings.PluginError as exc:  # messages of the bindings carry no secret
        raise _fail(f"{type(exc).__name__}: {exc}") from None


def _redactor(bindings: ModuleType, config: Any) -> Any:
    runtime = bindings._runtime
    return runtime.Redactor(runtime.secret_values(config))


def inspect_command(
    plugin: Annotated[Path, typer.Argument(help="The plugin's .wasm file.", show_default=False)],
    spec_path: Annotated[Path, typer.Option("--spec", help="The ABI spec.")] = DEFAULT_SPEC,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    timeout_ms: Annotated[
        int, typer.Option("--timeout-ms", min=1, help="Limit of each call (and of loading).")
    ] = INSPECT_TIMEOUT_MS,
) -> None:
    """Show a plugin's name, base URL, exports (present and missing) and config schema."""
    spec, bindings = _load(spec_path)
    header_missing: list[str] = []
    try:
        header = bindings.read_wasm_header(plugin.read_bytes())
        functions = header.function_exports
        header_missing = [e.name for e in spec.exports if e.name not in functions]
    except OSError as exc:
        raise _fail(f"cannot read {plugin}: {exc.strerror}", 2) from None
    except ValueError as exc:
        raise _fail(f"{plugin} is not a WebAssembly module: {exc}", 2) from None
    required_missing = [e.name for e in spec.required_exports if e.name in header_missing]
    if required_missing:
        report = {
            "plugin": str(plugin),
            "abi": spec.slug,
            "compatible": False,
            "missing_required": required_missing,
            "missing_optional": [n for n in header_missing if n not in required_missing],
            "exports": sorted(functions),
        }
        _print_report(report, as_json)
        raise typer.Exit(1)
    loaded = _open(bindings, plugin, None, [], timeout_ms)
    info = loaded.info
    report = {
        "plugin": str(plugin),
        "abi": spec.slug,
        "compatible": True,
        "name": info.name,
        "base_url": info.base_url,
        "wasi": info.wasi,
        "exports": sorted(info.exports),
        "missing_optional": sorted(info.missing),
        "extra_exports": list(info.extra_exports),
        "config_schema": info.config_schema,
    }
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
        list[str] | None, typer.Option("--allow-host", help="Another host the plugin may reach.")
    ] = None,
    timeout_ms: Annotated[
        int, typer.Option("--timeout-ms", min=1, help="Per-call timeout.")
    ] = DEFAULT_TIMEOUT_MS,
    spec_path: Annotated[Path, typer.Option("--spec", help="The ABI spec.")] = DEFAULT_SPEC,
) -> None:
    """Call one export with the spec's encodings and print its decoded output as JSON."""
    spec, bindings = _load(spec_path)
    methods = {m.export.name: m for m in python_target.methods(spec)}
    if export not in methods:
        raise _fail(f"{export!r} is not an export of {spec.slug}: {', '.join(methods)}", 2)
    method = methods[export]
    cfg = _read_json(config, "--config") if config is not None else None
    payload = _read_json(input_, "--input") if input_ is not None else None
    if cfg is not None and not isinstance(cfg, dict):
        raise _fail("--config must be a JSON object", 2)
    loaded = _open(bindings, plugin, cfg, list(allow_host or []), timeout_ms)
    redact = _redactor(bindings, cfg)
    function = getattr(loaded, method.name)
    try:
        match method.kind:
            case "ignored":
                result = function()
            case "utf8":
                result = function(payload if isinstance(payload, str) else json.dumps(payload))
            case "config" | "json":
                result = function() if payload is None else function(payload)
            case "request":
                if not isinstance(payload, dict):
                    raise _fail(f"--input of {export} must be a JSON object", 2)
                kwargs = {p.name: payload.get(p.wire_name) for p in method.params}
                missing = [
                    p.wire_name
                    for p in method.params
                    if p.default is None and p.wire_name not in payload
                ]
                if missing:
                    raise _fail(f"--input of {export} lacks {', '.join(missing)}", 2)
                result = function(**kwargs)
            case other:
                raise AssertionError(other)
    except bindings.PluginError as exc:
        raise _fail(redact(f"{type(exc).__name__}: {exc}")) from None
    finally:
        loaded.close()
    from pydantic_core import to_jsonable_python

    # The output may echo the configuration (from_config does): its secrets are masked too.
    text = json.dumps(to_jsonable_python(result, by_alias=True), indent=2, ensure_ascii=False)
    typer.echo(redact(text))


def register(app: typer.Typer) -> None:
    """Adds `inspect` and `call` to the `qmt-abigen` app."""
    app.command("inspect")(inspect_command)
    app.command("call")(call_command)
