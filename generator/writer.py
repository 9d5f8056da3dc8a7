"""The one place that touches generated/: compare, then replace atomically, only what changed.

Everything is rendered and formatted in memory first; a failure before `apply` leaves the
tree exactly as it was. Files under generated/ that no target produces any more are stale
and get removed (build artefacts such as `__pycache__` are left alone).
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

IGNORED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", "target", ".pytest_cache"})
IGNORED_SUFFIXES = (".pyc", ".lock")


@dataclass
class Plan:
    """What `apply` would do to bring `root` in line with the rendered files."""

    root: Path
    write: dict[str, str] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def clean(self) -> bool:
        return not self.write and not self.delete

    def diff(self) -> str:
        chunks: list[str] = []
        for path in sorted(self.write):
            old = _read(self.root / path)
            chunks.extend(
                difflib.unified_diff(
                    (old or "").splitlines(keepends=True),
                    self.write[path].splitlines(keepends=True),
                    fromfile=f"a/generated/{path}" if old is not None else "/dev/null",
                    tofile=f"b/generated/{path}",
                )
            )
        for path in self.delete:
            old = _read(self.root / path) or ""
            chunks.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    [],
                    fromfile=f"a/generated/{path}",
                    tofile="/dev/null",
                )
            )
        return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        return ""


def existing_files(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    found: list[str] = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_dir() or IGNORED_PARTS.intersection(relative.parts):
            continue
        if path.name.endswith(IGNORED_SUFFIXES):
            continue
        found.append(relative.as_posix())
    return sorted(found)


def plan(root: Path, files: Mapping[str, str]) -> Plan:
    result = Plan(root)
    for path in sorted(files):
        if _read(root / path) == files[path]:
            result.unchanged += 1
        else:
            result.write[path] = files[path]
    # Only directories the targets own are swept; anything else in `root` is left alone.
    owned = {path.split("/", 1)[0] for path in files}
    result.delete = [
        p for p in existing_files(root) if p not in files and p.split("/", 1)[0] in owned
    ]
    return result


def apply(work: Plan) -> None:
    """Write each changed file to a temporary sibling, then rename it over the old one."""
    for path, text in work.write.items():
        target = work.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    for path in work.delete:
        (work.root / path).unlink(missing_ok=True)
    for directory in sorted({(work.root / p).parent for p in work.delete}, reverse=True):
        while directory != work.root and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent
