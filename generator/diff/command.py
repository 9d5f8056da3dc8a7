"""The `diff` and `diff-rules` commands: load the specs, compare them, print the report."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from generator import exit_codes
from generator.diagnostics import SpecError
from generator.diff import UnknownDialect, diff
from generator.diff.render import as_json as render_json
from generator.diff.render import as_table
from generator.diff.rules import rules_markdown
from generator.loader import load_spec

DIFF_EPILOG = exit_codes.epilog(
    "no changes, or none that breaks plugins or hosts",
    "a change breaks old plugins on a new host or old hosts on a new plugin",
    "a spec has problems (all listed) or cannot be read, an unknown dialect",
)


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
    specs, problems = [], []
    for path in (old,) if new is None else (old, new):
        try:
            specs.append(load_spec(path))
        except SpecError as exc:
            problems.append(exc)
    if problems:
        count = sum(len(exc.diagnostics) for exc in problems)
        rendered = "\n".join(exc.render() for exc in problems)
        raise exit_codes.fail(
            f"{rendered}\n{count} error{'s' if count != 1 else ''}.", exit_codes.USAGE
        )
    before, after = specs[0], specs[-1]
    if new is None:
        if len(before.dialects) < 2 and from_dialect is None:
            raise exit_codes.fail(
                f"error: {old} declares fewer than two dialects; give NEW, or --from-dialect",
                exit_codes.USAGE,
            )
        from_dialect = from_dialect or before.dialects[0].name
    try:
        report = diff(before, after, old_dialect=from_dialect, new_dialect=to_dialect)
    except UnknownDialect as exc:
        raise exit_codes.fail(f"error: {exc}", exit_codes.USAGE) from None
    if as_json:
        sys.stdout.write(render_json(report))
    else:
        width = max(shutil.get_terminal_size((160, 24)).columns, 100)
        sys.stdout.write(as_table(report, width=width, color=sys.stdout.isatty()))
    if report.breaking:
        raise typer.Exit(exit_codes.FAILED)


def diff_rules_command() -> None:
    """Print the rules `diff` classifies changes by, as Markdown (docs/diff-rules.md)."""
    sys.stdout.write(rules_markdown())


def register(app: typer.Typer) -> None:
    app.command("diff", epilog=DIFF_EPILOG)(diff_command)
    app.command("diff-rules", epilog=exit_codes.epilog("printed", None, "bad usage"))(
        diff_rules_command
    )
