"""Fingerprints that let an unchanged tree skip rendering.

The fingerprint covers everything output depends on: the spec files, the generator's own
source, the templates, and the versions of the formatters. A cache entry in build/ records
the fingerprint of the last successful render and the digest of every file it produced; if
both still match, `generate` and `generate --check` have nothing to do. Any mismatch falls back
to a full render, so the cache can make a run faster but never change its result.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

from generator import writer
from generator.formatting import RUSTFMT
from generator.resources import CACHE_DIR, PACKAGE_DIR, TEMPLATES_DIR


def _tree_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
    )


def _rustfmt_version() -> str:
    if shutil.which(RUSTFMT) is None:
        return "absent"
    result = subprocess.run([RUSTFMT, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip()


def fingerprint(spec_dir: Path, targets: tuple[str, ...]) -> str:
    digest = hashlib.sha256(" ".join(targets).encode())
    for base in (spec_dir, PACKAGE_DIR, TEMPLATES_DIR):
        for path in _tree_files(base):
            digest.update(path.relative_to(base).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    for tool in ("black", "datamodel-code-generator", "jinja2", "pyyaml"):
        digest.update(f"{tool}={version(tool)}".encode())
    digest.update(_rustfmt_version().encode())
    return digest.hexdigest()


def file_digests(root: Path) -> dict[str, str]:
    return {
        path: hashlib.sha256((root / path).read_bytes()).hexdigest()
        for path in writer.existing_files(root)
    }


def _entry(out_dir: Path) -> Path:
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return CACHE_DIR / f"{key}.json"


def is_fresh(out_dir: Path, current: str) -> bool:
    """True when `out_dir` holds exactly what the last render with fingerprint `current` wrote."""
    try:
        entry = json.loads(_entry(out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(entry.get("fingerprint") == current and entry.get("files") == file_digests(out_dir))


def remember(out_dir: Path, current: str, files: dict[str, str]) -> None:
    digests = {p: hashlib.sha256(t.encode()).hexdigest() for p, t in sorted(files.items())}
    entry = _entry(out_dir)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(json.dumps({"fingerprint": current, "files": digests}), encoding="utf-8")
