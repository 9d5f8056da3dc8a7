"""The changes target: a change report between consecutive ABI versions of one family
(`docs/changes/NAME-vA-to-vB.md`) and between consecutive dialects of one version
(`docs/changes/NAME-vN-DIALECT-to-DIALECT.md`), rendered by `generator.diff`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from generator.diff import diff
from generator.diff.render import as_markdown
from generator.ir import Spec
from generator.target_limits import RESERVED_TYPE_NAMES
from generator.targets.base import Role, Target


def render(spec: Spec) -> Mapping[str, str]:
    del spec  # every report spans two specs or two dialects: see render_shared
    return {}


def render_shared(specs: Sequence[Spec]) -> Mapping[str, str]:
    files: dict[str, str] = {}
    families: dict[str, list[Spec]] = {}
    for spec in specs:
        families.setdefault(spec.name, []).append(spec)
    for name, versions in sorted(families.items()):
        versions.sort(key=lambda s: s.abi_version)
        for old, new in pairwise(versions):
            path = f"docs/changes/{name}-v{old.abi_version}-to-v{new.abi_version}.md"
            files[path] = as_markdown(
                diff(old, new),
                title=f"{old.title} → {new.title}",
                command=f"qmt-abigen diff {old.source} {new.source}",
            )
        for spec in versions:
            for before, after in pairwise(d.name for d in spec.dialects):
                path = f"docs/changes/{spec.slug}-{before}-to-{after}.md"
                files[path] = as_markdown(
                    diff(spec, spec, old_dialect=before, new_dialect=after),
                    title=f"{spec.title}: dialect {before} → {after}",
                    command=(
                        f"qmt-abigen diff {spec.source} --from-dialect {before}"
                        f" --to-dialect {after}"
                    ),
                )
    return files


TARGET = Target(
    name="changes",
    role=Role.NEUTRAL,
    render=render,
    render_shared=render_shared,
    reserved_type_names=RESERVED_TYPE_NAMES.get("changes", {}),
)
