"""The `qmt-abigen` command line.

Every command follows `generator.exit_codes`: 0 success; 1 what the command checked failed
(`generate --check` found the output stale, a plugin is not one or a call failed); 2 the
invocation or its input is wrong (bad option, missing file, invalid spec). User errors never
print a traceback; each command's `--help` ends with its exit statuses.
"""

from __future__ import annotations

import shutil
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
DIFF_EPILOG = exit_codes.epilog(
    "no changes, or none that breaks plugins or hosts",
    "a change breaks old plugins on a new host or old hosts on a new plugin",
    "a spec has problems (all listed) or cannot be read, an unknown dialect",
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


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


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
        raise _fail(
            f"error: unknown target {', '.join(unknown)}; Options are: {', '.join(TARGETS)}",
            exit_codes.USAGE,
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise _fail(f"error: --out-dir {out_dir} is not a directory", exit_codes.USAGE)
    if not spec_dir.is_dir():
        raise _fail(f"error: --spec-dir {spec_dir} is not a directory", exit_codes.USAGE)
    selected = tuple(t for t in TARGETS if t in target) if target else TARGETS
    try:
        outcome = generate(
            spec_dir=spec_dir, out_dir=out_dir, check=check, use_cache=not full, targets=selected
        )
    except SpecError as exc:
        count = len(exc.diagnostics)
        raise _fail(
            f"{exc.render()}\n{count} error{'s' if count != 1 else ''}; nothing written.",
            exit_codes.USAGE,
        ) from None
    except (FormattingError, OutputClashError, UnsupportedByTarget) as exc:
        raise _fail(f"error: {exc}\nnothing written.", exit_codes.USAGE) from None
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise _fail(f"error: cannot write{where}: {exc.strerror}", exit_codes.USAGE) from None
    work = outcome.plan
    shown = _shown_dir(out_dir)
    if check:
        if work.clean:
            typer.echo(f"{shown} is up to date ({work.unchanged} files).")
            return
        sys.stdout.write(work.diff())
        rerun = "`make generate`" if out_dir == GENERATED_DIR else "`qmt-abigen generate`"
        raise _fail(
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
        raise _fail(f"{failed} error{'s' if failed != 1 else ''}.", exit_codes.USAGE)


@app.command("diff", epilog=DIFF_EPILOG)
def diff_command(
    old: Annotated[Path, typer.Argument(help="The spec before.", show_default=False)],
    new: Annotated[
        Path | None,
        typer.Argument(
            help="The spec after. Default: OLD again, to compare two of its dialects.",
            show_default=False,
        ),
    ] = None,
    from_dialect: Annotated[
        str | None,
        typer.Option(
            "--from-dialect",
            help="OLD as this dialect speaks it. Default: its newest, or its oldest when NEW "
            "is omitted.",
            show_default=False,
        ),
    ] = None,
    to_dialect: Annotated[
        str | None,
        typer.Option(
            "--to-dialect",
            help="NEW as this dialect speaks it. Default: its newest.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (sorted, stable).")
    ] = False,
) -> None:
    """Every change from OLD to NEW, and whether it breaks old plugins or old hosts.

    Each change is classified for plugins (built against OLD, loaded by a NEW host) and for
    hosts (written for OLD, loading a NEW plugin); the rules are in docs/diff-rules.md.
    """
    from generator.diff import UnknownDialect, diff
    from generator.diff.render import as_json as render_json
    from generator.diff.render import as_table

    specs, problems = [], []
    for path in (old,) if new is None else (old, new):
        try:
            specs.append(load_spec(path))
        except SpecError as exc:
            problems.append(exc)
    if problems:
        count = sum(len(exc.diagnostics) for exc in problems)
        rendered = "\n".join(exc.render() for exc in problems)
        raise _fail(f"{rendered}\n{count} error{'s' if count != 1 else ''}.", exit_codes.USAGE)
    before, after = specs[0], specs[-1]
    if new is None:
        if len(before.dialects) < 2 and from_dialect is None:
            raise _fail(
                f"error: {old} declares fewer than two dialects; give NEW, or --from-dialect",
                exit_codes.USAGE,
            )
        from_dialect = from_dialect or before.dialects[0].name
    try:
        report = diff(before, after, old_dialect=from_dialect, new_dialect=to_dialect)
    except UnknownDialect as exc:
        raise _fail(f"error: {exc}", exit_codes.USAGE) from None
    if as_json:
        sys.stdout.write(render_json(report))
    else:
        width = max(shutil.get_terminal_size((160, 24)).columns, 100)
        sys.stdout.write(as_table(report, width=width, color=sys.stdout.isatty()))
    if report.breaking:
        raise typer.Exit(exit_codes.FAILED)


@app.command("diff-rules", epilog=exit_codes.epilog("printed", None, "bad usage"))
def diff_rules_command() -> None:
    """Print the rules `diff` classifies changes by, as Markdown (docs/diff-rules.md)."""
    from generator.diff.rules import rules_markdown

    sys.stdout.write(rules_markdown())


from generator.conformance import command as verify_command  # noqa: E402
from generator.hosttools import commands as host_commands  # noqa: E402

host_commands.register(app)  # `inspect`, `call`
verify_command.register(app)  # `verify`


def main() -> None:
    app()
