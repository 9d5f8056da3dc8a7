"""spec/*.yaml -> IR -> every target -> formatted text -> generated/ (or a diff with --check)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator import fingerprint, writer
from generator.ir import Spec
from generator.loader import load_all
from generator.resources import GENERATED_DIR, SPEC_DIR
from generator.targets import TARGETS, Target, target


class OutputClashError(Exception):
    """Two targets (or two specs) produced the same path."""


@dataclass(frozen=True)
class Outcome:
    plan: writer.Plan
    specs: tuple[Spec, ...]
    cached: bool = False


def render_all(specs: Iterable[Spec], targets: Iterable[str] | None = None) -> dict[str, str]:
    files: dict[str, str] = {}
    owners: dict[str, str] = {}
    selected = [target(name) for name in (targets if targets is not None else TARGETS)]
    specs = tuple(specs)

    def add(rendered: Mapping[str, str], owner: str, by: Target) -> None:
        for path, text in rendered.items():
            if path in files:
                raise OutputClashError(f"{path} is produced by both {owners[path]} and {owner}")
            owners[path] = owner
            files[path] = by.formatter(path, text)

    for spec in specs:
        for t in selected:
            add(t.render(spec), f"{spec.source} ({spec.slug}, {t.name} target)", t)
    for t in selected:
        if t.render_shared is not None and specs:
            add(t.render_shared(specs), f"every spec ({t.name} target)", t)
    return dict(sorted(files.items()))


def generate(
    *,
    spec_dir: Path = SPEC_DIR,
    out_dir: Path = GENERATED_DIR,
    check: bool = False,
    use_cache: bool = True,
    targets: tuple[str, ...] = TARGETS,
) -> Outcome:
    """Render everything; unless `check`, bring `out_dir` in line. Raises before touching disk.

    With `use_cache`, an `out_dir` that provably holds the last render of unchanged inputs is
    reported up to date without rendering (see `generator.fingerprint`).
    """
    try:
        current: str | None = fingerprint.fingerprint(spec_dir, targets)
    except OSError:  # an unreadable spec: the loader reports it with its position
        current = None
    if use_cache and current is not None and fingerprint.is_fresh(out_dir, current):
        existing = writer.existing_files(out_dir)
        return Outcome(writer.Plan(out_dir, unchanged=len(existing)), (), cached=True)
    specs = tuple(load_all(spec_dir, display_root=spec_dir.parent))
    files = render_all(specs, targets)
    work = writer.plan(out_dir, files)
    if not check:
        writer.apply(work)
    if current is not None and (not check or work.clean):
        fingerprint.remember(out_dir, current, files)
    return Outcome(work, specs)
