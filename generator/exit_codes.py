"""The one exit-status convention of every `qmt-abigen` command, and its `--help` text."""

from __future__ import annotations

import typer

OK = 0
"""The command did what was asked; what it checked passed."""
FAILED = 1
"""What the command checked failed: a stale tree, a plugin that is not one, a failing call."""
USAGE = 2
"""The invocation or its input is wrong: a bad option, a missing file, an invalid spec."""


def epilog(ok: str, failed: str | None, usage: str) -> str:
    """The exit-status paragraph of one command's `--help` (kept as written: `\\b`)."""
    lines = [f"  0  {ok}"]
    if failed is not None:
        lines.append(f"  1  {failed}")
    lines.append(f"  2  {usage}")
    return "\b\nExit status:\n" + "\n".join(lines)


def fail(message: str, code: int) -> typer.Exit:
    """Prints `message` to stderr and returns the `typer.Exit(code)` for the caller to raise."""
    typer.echo(message, err=True)
    return typer.Exit(code)
