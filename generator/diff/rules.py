"""The registry of diff rules: one entry per kind of change, with its fixed classification.

The rules are data, in `rules.yaml` beside this module: a stable id (reports, `--json` and
tests name it), the level, the impact for plugins and for hosts, and a one-line summary. Rules
about a document that crosses the boundary come in pairs, `input-*` and `output-*`, because who
is hurt depends on who writes and who reads it (see `Direction`): an added required field breaks
old hosts in an input (they do not send it) and old plugins in an output (they do not write it).
`docs/diff-rules.md` is this registry rendered (`qmt-abigen diff-rules`; a test keeps it current).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.diff.model import Impact, Level

RULES_FILE = Path(__file__).with_name("rules.yaml")


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    plugins: Impact
    """For a plugin built against OLD, loaded by a NEW host."""
    hosts: Impact
    """For a host written for OLD, loading a NEW plugin."""
    level: Level


def _load() -> tuple[Rule, ...]:
    raw = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return tuple(
        Rule(
            id=rule_id,
            summary=entry["summary"],
            plugins=Impact(entry["plugins"]),
            hosts=Impact(entry["hosts"]),
            level=Level(entry["level"]),
        )
        for rule_id, entry in raw.items()
    )


RULES: tuple[Rule, ...] = _load()
_BY_ID = {r.id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    return _BY_ID[rule_id]


def rules_markdown() -> str:
    """`docs/diff-rules.md`: the registry as a table, after how to read it."""
    lines = [
        "# Diff rules",
        "",
        "`qmt-abigen diff OLD NEW` reports every change between two specs as one of these rules;",
        "`qmt-abigen diff SPEC` compares the oldest dialect of one spec with its newest, and",
        "`--from-dialect A` / `--to-dialect B` pick the dialect of each side (default: the",
        "newest). Each change is classified twice, because plugins and hosts upgrade separately:",
        "",
        "- **plugins**: a plugin built against OLD, loaded by a host written for NEW;",
        "- **hosts**: a host written for OLD, loading a plugin built against NEW.",
        "",
        "`input-*` rules are about documents the host writes and the plugin reads (export",
        "inputs, host-function results); `output-*` rules about documents the plugin writes and",
        "the host reads (export outputs, error messages, host-function arguments). Readers",
        "ignore unknown fields unless the struct denies them (serde's default).",
        "",
        "Exports, host functions, fields and variants are matched by wire name; types are",
        "followed from where they are used, so a renamed type is compared with its old self.",
        "Types that keep their name but are no longer reached from a common export are compared",
        "by name, in every direction either spec uses them.",
        "",
        "Levels follow buf's categories: `wire` changes the bytes of a call, `json` the shape of",
        "a JSON document, `source` only the generated code (built binaries keep working). The",
        "command exits 1 when any change breaks plugins or hosts, 0 when none does (also for",
        "source-level changes), 2 for an invalid spec or an unknown dialect; `--json` prints the",
        "report as sorted JSON.",
        "",
        "This file is rendered from `generator/diff/rules.yaml` by `qmt-abigen diff-rules`.",
        "",
        "| rule | level | plugins | hosts | what changed |",
        "|---|---|---|---|---|",
    ]
    lines.extend(f"| `{r.id}` | {r.level} | {r.plugins} | {r.hosts} | {r.summary} |" for r in RULES)
    lines += [
        "",
        "## Not compared",
        "",
        "Descriptions, examples and `host_use` text; the prose of `host` (allowed hosts,",
        "configuration, concurrency, probe input); protocols and host modes (the exports they",
        "name are compared as exports); `empty_is_none`, `content_type`, `is_config` and",
        "`does_http` on payloads and exports; default values, `skip_if_null` and `min_items`;",
        "`deny_unknown_fields` switched on or off without a field changing (it matters only",
        "for the fields the `*-strict` rules report); the host's status classifiers (its own",
        "mapping, nothing crosses the boundary); declared types no export or host function",
        "reaches in both specs under the same name.",
    ]
    return "\n".join(lines) + "\n"
