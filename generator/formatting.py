"""In-process formatting of rendered text, chosen by file extension.

Python goes through black's API; Rust through rustfmt on stdin. Both tools are pinned
(black in pyproject.toml; rustfmt is Debian's, the same one the Rust build uses), because
their output is committed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import PurePosixPath

RUSTFMT_CANDIDATES = ("/usr/bin/rustfmt", "rustfmt")


class FormattingError(Exception):
    """A generated file could not be formatted: a bug in a target or its templates."""


def format_text(path: str, text: str) -> str:
    suffix = PurePosixPath(path).suffix
    if suffix in (".py", ".pyi"):
        return format_python(path, text)
    if suffix == ".rs":
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


def rustfmt_binary() -> str:
    for candidate in RUSTFMT_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise FormattingError("rustfmt not found; run `make bootstrap-rust` (Debian package: rustfmt)")


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
