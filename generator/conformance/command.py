"""The `verify` command: parses options, runs `verify_plugin()`, prints the table (and the JSON
report), exits 0 only if every check passed."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from generator import exit_codes
from generator.conformance.report import render_table
from generator.conformance.runner import DEFAULT_TIMEOUT_MS, VerifyUsageError, verify_plugin
from generator.hosttools.args import UsageError, read_json_arg
from generator.loader import load_spec

VERIFY_EPILOG = exit_codes.epilog(
    "no check failed (skipped optional exports are fine)",
    "a check failed, including 'not WebAssembly' and missing required exports",
    "bad usage: a missing file, bad JSON in --config, a bad --base-url or --timeout-ms",
)


def verify_command(
    plugin: Annotated[Path, typer.Argument(help="The plugin's .wasm file.", show_default=False)],
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            help="Plugin configuration: a JSON file or inline JSON "
            '(default {"api_key": "sk-verify", "base_url": <server>}).',
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Use this server instead of the built-in loopback server."),
    ] = None,
    timeout_ms: Annotated[
        int, typer.Option("--timeout-ms", min=1, help="Per-call timeout in milliseconds.")
    ] = DEFAULT_TIMEOUT_MS,
    json_path: Annotated[
        str | None,
        typer.Option("--json", help="Also write a JSON report to this file ('-': stdout)."),
    ] = None,
    spec_path: Annotated[
        Path | None,
        typer.Option(
            "--spec",
            help="The ABI spec to check against (default: the one whose ABI the plugin's "
            "exports match, by the host runtime's detection).",
            show_default=False,
        ),
    ] = None,
    responses: Annotated[
        Path | None,
        typer.Option(
            "--responses",
            help="A directory of the provider's recorded responses, one file per protocol "
            "(chat.json, chat_stream.sse, list_models.json, embed.json, complete.json, "
            "error.json; optional expected.json), replayed to the plugin's requests and "
            "parse exports (default: a built-in OpenAI-compatible set).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the spec's conformance checks against a plugin; exit 0 only if all pass."""
    from rich.console import Console

    out = Console(stderr=json_path == "-", soft_wrap=False, highlight=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out.width = 160  # a log or a pipe: one line per check rather than wrapped details
    err = Console(stderr=True)
    try:
        cfg = read_json_arg(config, "--config") if config is not None else None
        if config is not None and not isinstance(cfg, dict):
            raise VerifyUsageError("--config must be a JSON object")
        spec = None
        if spec_path is not None:
            try:
                spec = load_spec(spec_path)
            except Exception as exc:  # a SpecError renders itself; anything else is a path problem
                render = getattr(exc, "render", None)
                raise VerifyUsageError(
                    render() if callable(render) else f"cannot load {spec_path}: {exc}"
                ) from None
        with err.status("verifying…", spinner="dots") as status:

            def progress(what: str, done: int, total: int) -> None:
                status.update(f"verifying: {what} ({done}/{total})")

            report = verify_plugin(
                plugin,
                config=cfg,
                base_url=base_url,
                timeout_ms=timeout_ms,
                spec=spec,
                progress=progress,
                responses=responses,
            )
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exit_codes.USAGE) from None
    render_table(report, out)
    if json_path is not None:
        text = json.dumps(report.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if json_path == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(json_path).write_text(text, encoding="utf-8")
            except OSError as exc:
                typer.echo(f"error: cannot write {json_path}: {exc.strerror}", err=True)
                raise typer.Exit(exit_codes.USAGE) from None
    if not report.ok:
        raise typer.Exit(exit_codes.FAILED)


def register(app: typer.Typer) -> None:
    """Adds `verify` to the `qmt-abigen` app."""
    app.command("verify", epilog=VERIFY_EPILOG)(verify_command)
