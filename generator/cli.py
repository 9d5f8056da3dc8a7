"""The `qmt-abigen` command line.

Every command follows `generator.exit_codes`: 0 success; 1 what the command checked failed
(`generate --check` found the output stale, a plugin is not one or a call failed); 2 the
invocation or its input is wrong (bad option, missing file, invalid spec). User errors never
print a traceback; each command's `--help` ends with its exit statuses.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from generator import exit_codes
from generator.diagnostics import SpecError
from generator.formatting import FormattingError
from generator.loader import load_spec
from generator.pipeline import OutputClashError, generate
from generator.resources import GENERATED_DIR, SPEC_DIR
from generator.targets import TARGETS, UnsupportedByTarget

app = typer.Typer(
    name="qmt-abigen",
    help="QueryMT's Extism plugin ABI as a spec: generate schemas, Rust, Python and docs from it.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's would show every flag as `--check <bool>`
)

GENERATE_EPILOG = exit_codes.epilog(
    "written (or, with --check, the output directory is up to date)",
    "--check: the output directory is stale (the diff is on stdout)",
    "bad usage or input: an invalid spec, an unknown target, --out-dir not a directory",
)
VALIDATE_EPILOG = exit_codes.epilog(
    "every spec is valid", None, "a spec has problems (all listed) or cannot be read"
)


def _show_version(value: bool) -> None:
    if value:
        from generator import __version__

        typer.echo(f"qmt-abigen {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """QueryMT's Extism plugin ABI as a spec: generate schemas, Rust, Python and docs from it."""


@app.command("generate", epilog=GENERATE_EPILOG)
def generate_command(
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Render in memory; exit 1 with a diff if the output is stale."
        ),
    ] = False,
    spec_dir: Annotated[Path, typer.Option(help="Directory of spec *.yaml files.")] = SPEC_DIR,
    out_dir: Annotated[Path, typer.Option(help="Directory the outputs go to.")] = GENERATED_DIR,
    full: Annotated[
        bool,
        typer.Option("--full", help="Always render, even when nothing changed since the last run."),
    ] = False,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            help=f"Only these targets (repeatable): {', '.join(TARGETS)}. Default: all.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Render every spec into generated/ (only changed files are rewritten)."""
    unknown = sorted(set(target or ()) - set(TARGETS))
    if unknown:
        raise exit_codes.fail(
            f"error: unknown target {', '.join(unknown)}; Options are: {', '.join(TARGETS)}",
            exit_codes.USAGE,
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise exit_codes.fail(f"error: --out-dir {out_dir} is not a directory", exit_codes.USAGE)
    if not spec_dir.is_dir():
        raise exit_codes.fail(f"error: --spec-dir {spec_dir} is not a directory", exit_codes.USAGE)
    selected = tuple(t for t in TARGETS if t in target) if target else TARGETS
    try:
        outcome = generate(
            spec_dir=spec_dir, out_dir=out_dir, check=check, use_cache=not full, targets=selected
        )
    except SpecError as exc:
        count = len(exc.diagnostics)
        raise exit_codes.fail(
            f"{exc.render()}\n{count} error{'s' if count != 1 else ''}; nothing written.",
            exit_codes.USAGE,
        ) from None
    except (FormattingError, OutputClashError, UnsupportedByTarget) as exc:
        raise exit_codes.fail(f"error: {exc}\nnothing written.", exit_codes.USAGE) from None
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise exit_codes.fail(
            f"error: cannot write{where}: {exc.strerror}", exit_codes.USAGE
        ) from None
    work = outcome.plan
    shown = _shown_dir(out_dir)
    if check:
        if work.clean:
            typer.echo(f"{shown} is up to date ({work.unchanged} files).")
            return
        sys.stdout.write(work.diff())
        rerun = "`make generate`" if out_dir == GENERATED_DIR else "`qmt-abigen generate`"
        raise exit_codes.fail(
            f"{shown} is stale: {len(work.write)} to write, {len(work.delete)} to delete. "
            f"Run {rerun}.",
            exit_codes.FAILED,
        )
    if outcome.cached:
        typer.echo(f"nothing changed since the last run ({work.unchanged} files).")
        return
    typer.echo(
        f"{len(work.write)} written, {len(work.delete)} deleted, {work.unchanged} unchanged "
        f"({', '.join(s.slug for s in outcome.specs)})."
    )


def _shown_dir(path: Path) -> str:
    try:
        return f"{path.resolve().relative_to(Path.cwd().resolve())}/"
    except ValueError:
        return f"{path}/"


@app.command("validate", epilog=VALIDATE_EPILOG)
def validate_command(
    specs: Annotated[list[Path], typer.Argument(help="Spec files to check.", show_default=False)],
) -> None:
    """Check spec files and report every problem, without generating anything."""
    failed = 0
    for path in specs:
        try:
            spec = load_spec(path)
        except SpecError as exc:
            typer.echo(exc.render(), err=True)
            failed += len(exc.diagnostics)
            continue
        typer.echo(
            f"{path}: ok ({spec.slug}: {len(spec.types)} types, {len(spec.exports)} exports)"
        )
    if failed:
        raise exit_codes.fail(f"{failed} error{'s' if failed != 1 else ''}.", exit_codes.USAGE)


from generator.conformance import command as verify_command  # noqa: E402
from generator.diff import command as diff_commands  # noqa: E402
from generator.hosttools import commands as host_commands  # noqa: E402

diff_commands.register(app)  # `diff`, `diff-rules`
host_commands.register(app)  # `inspect`, `call`
verify_command.register(app)  # `verify`


def main() -> None:
    app()
