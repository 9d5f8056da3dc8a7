"""spec/*.yaml -> IR -> every target -> formatted text -> generated/ (or a diff with --check)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator import writer
from generator.formatting import format_text
from generator.ir import Spec
from generator.loader import SPEC_DIR, load_all
from generator.targets import TARGETS

ROOT = Path(__file__).resolve().parent.parent
GENERATED_DIR = ROOT / "generated"


class OutputClashError(Exception):
    """Two targets (or two specs) produced the same path."""


@dataclass(frozen=True)
class Outcome:
    plan: writer.Plan
    specs: tuple[Spec, ...]


def render_all(specs: Iterable[Spec], targets: Iterable[str] | None = None) -> dict[str, str]:
    files: dict[str, str] = {}
    owners: dict[str, str] = {}
    selected = list(targets) if targets is not None else sorted(TARGETS)
    for spec in specs:
        for name in selected:
            for path, text in TARGETS[name](spec).items():
                owner = f"{spec.slug}:{name}"
                if path in files:
                    raise OutputClashError(f"{path} is produced by both {owners[path]} and {owner}")
                owners[path] = owner
                files[path] = format_text(path, text)
    return dict(sorted(files.items()))


def generate(
    *, spec_dir: Path = SPEC_DIR, out_dir: Path = GENERATED_DIR, check: bool = False
) -> Outcome:
    """Render everything; unless `check`, bring `out_dir` in line. Raises before touching disk."""
    specs = tuple(load_all(spec_dir, display_root=ROOT))
    work = writer.plan(out_dir, render_all(specs))
    if not check:
        writer.apply(work)
    return Outcome(work, specs)
