"""The registry of diff rules: one entry per kind of change, with its fixed classification.

A rule id is stable (reports, `--json` and tests name it). Rules about a document that crosses
the boundary come in pairs, `input-*` and `output-*`, because who is hurt depends on who writes
and who reads it (see `Direction`): the same added required field breaks old hosts when it is in
an input (they do not send it) and old plugins when it is in an output (they do not write it).
`docs/diff-rules.md` is this table rendered (`qmt-abigen diff-rules`; a test keeps it current).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.diff.model import Impact, Level

B = Impact.BREAKING
C = Impact.COMPATIBLE


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    plugins: Impact
    """For a plugin built against OLD, loaded by a NEW host."""
    hosts: Impact
    """For a host written for OLD, loading a NEW plugin."""
    level: Level


_W, _J, _S = Level.WIRE, Level.JSON, Level.SOURCE

RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- exports
    Rule("export-added-required", "a required export is added: old plugins lack it", B, C, _W),
    Rule("export-added-optional", "an optional export is added: hosts probe for it", C, C, _W),
    Rule("export-removed-required", "a required export is removed: old hosts still call it", C, B, _W),
    Rule("export-removed-optional", "an optional export is removed", C, C, _W),
    Rule("export-made-required", "an optional export becomes required: old plugins may lack it", B, C, _W),
    Rule("export-made-optional", "a required export becomes optional: old hosts call it unprobed", C, B, _W),
    Rule("export-input-encoding-changed", "an export's input bytes are laid out differently", B, B, _W),
    Rule("export-input-now-ignored", "an export stops reading its input: new hosts send `null`", B, C, _W),
    Rule("export-input-now-read", "an export starts reading its input: old hosts send `null`", C, B, _W),
    Rule("export-output-encoding-changed", "an export's output bytes are laid out differently", B, B, _W),
    Rule("export-output-now-unused", "an export stops writing output: old hosts read nothing", C, B, _W),
    Rule("export-output-now-used", "an export starts writing output: old plugins write nothing", B, C, _W),
    Rule("export-error-added", "an export fails with a new return code: old hosts cannot read it", C, B, _W),
    Rule("export-error-removed", "a return code is gone: new hosts cannot read old plugins' errors", B, C, _W),
    Rule("export-error-changed", "one return code carries another kind of message", B, B, _W),
    # ---------------------------------------------------------------- host functions
    Rule("host-function-added", "a host function every new plugin imports: old hosts lack it", C, B, _W),
    Rule("host-function-added-optional", "a host function plugins may import is added", C, C, _W),
    Rule("host-function-removed", "a host function is gone: old plugins importing it fail to load", B, C, _W),
    Rule("host-function-made-imported", "every plugin now imports a host function: old hosts may lack it", C, B, _W),
    Rule("host-function-signature-changed", "a host function's wasm parameters or results change", B, B, _W),
    Rule("host-function-encoding-changed", "a host function's argument or result bytes change", B, B, _W),
    # ---------------------------------------------------------------- the host's load sequence
    Rule("load-call-added", "the host calls an export at load it did not call before", B, C, _W),
    Rule("load-call-removed", "the host no longer calls an export at load", C, C, _W),
    Rule("load-order-changed", "the host calls the same exports at load in another order", C, C, _W),
    Rule("host-role-changed", "another export (or none) plays a part of the host's loader", B, B, _W),
    # ---------------------------------------------------------------- documents the host writes
    Rule("input-field-added-required", "a required field in an input: old hosts do not send it", C, B, _J),
    Rule("input-field-added-optional", "a field with a default or nullable in an input", C, C, _J),
    Rule("input-field-added-strict", "a field in an input whose old struct denies unknown fields", B, C, _J),
    Rule("input-field-removed-required", "a field old plugins require is no longer sent", B, C, _J),
    Rule("input-field-removed-optional", "an optional input field is no longer sent", C, C, _J),
    Rule("input-field-removed-strict", "an input field old hosts send is unknown to a struct that denies unknown fields", C, B, _J),
    Rule("input-field-renamed-with-alias", "an input field's wire name changes, the old one kept as alias", B, C, _J),
    Rule("input-field-made-required", "an input field becomes required: old hosts may leave it out", C, B, _J),
    Rule("input-null-allowed", "an input value may now be `null`: old plugins refuse it", B, C, _J),
    Rule("input-null-refused", "an input value may no longer be `null`: old hosts may send it", C, B, _J),
    Rule("input-integer-widened", "an input integer takes a wider range: old plugins refuse the new values", B, C, _J),
    Rule("input-integer-narrowed", "an input integer takes a narrower range: old hosts may send too much", C, B, _J),
    Rule("input-variant-added", "an input enum gains a variant: old plugins refuse it", B, C, _J),
    Rule("input-variant-removed", "an input enum loses a variant: old hosts may still send it", C, B, _J),
    # ---------------------------------------------------------------- documents the plugin writes
    Rule("output-field-added-required", "a required field in an output: old plugins do not write it", B, C, _J),
    Rule("output-field-added-optional", "a field with a default or nullable in an output", C, C, _J),
    Rule("output-field-added-strict", "a field in an output whose old struct denies unknown fields", C, B, _J),
    Rule("output-field-removed-required", "a field old hosts require is no longer written", C, B, _J),
    Rule("output-field-removed-optional", "an optional output field is no longer written", C, C, _J),
    Rule("output-field-removed-strict", "an output field old plugins write is unknown to a struct that denies unknown fields", B, C, _J),
    Rule("output-field-renamed-with-alias", "an output field's wire name changes, the old one kept as alias", C, B, _J),
    Rule("output-field-made-required", "an output field becomes required: old plugins may leave it out", B, C, _J),
    Rule("output-null-allowed", "an output value may now be `null`: old hosts refuse it", C, B, _J),
    Rule("output-null-refused", "an output value may no longer be `null`: old plugins may write it", B, C, _J),
    Rule("output-integer-widened", "an output integer takes a wider range: old hosts refuse the new values", C, B, _J),
    Rule("output-integer-narrowed", "an output integer takes a narrower range: old plugins may write too much", B, C, _J),
    Rule("output-variant-added", "an output enum gains a variant: old hosts refuse it", C, B, _J),
    Rule("output-variant-removed", "an output enum loses a variant: old plugins may still write it", B, C, _J),
    # ---------------------------------------------------------------- either direction
    Rule("field-renamed", "a field's wire name changes (same source name, no alias)", B, B, _J),
    Rule("field-made-optional", "a field becomes optional on read; writers still write it", C, C, _J),
    Rule("field-alias-added", "a field accepts one more name on read", C, C, _J),
    Rule("field-alias-removed", "a field no longer accepts a name on read (no ABI writer uses it)", C, C, _J),
    Rule("variant-renamed", "a variant's wire name changes (same source name)", B, B, _J),
    Rule("variant-added-with-fallback", "an enum gains a variant; old readers read it as their fallback", C, C, _J),
    Rule("variant-removed-with-fallback", "an enum loses a variant; new readers read it as their fallback", C, C, _J),
    Rule("tagging-changed", "an enum's representation (tagging, tag or content key) changes", B, B, _J),
    Rule("integer-range-changed", "an integer's range changes neither way (signedness)", B, B, _J),
    Rule("float-width-changed", "a float changes width: JSON numbers read either way", C, C, _J),
    Rule("type-kind-changed", "a value becomes another kind (string, list, struct, enum, ...)", B, B, _J),
    # ---------------------------------------------------------------- generated code only
    Rule("renamed-in-source", "a field or variant's source name changes, its wire name does not", C, C, _S),
    Rule("type-renamed", "a type reached at the same place has another name", C, C, _S),
    Rule("type-param-changed", "a value is typed by a type parameter on one side, `json` on the other", C, C, _S),
)

_BY_ID = {rule.id: rule for rule in RULES}


def rule(rule_id: str) -> Rule:
    return _BY_ID[rule_id]


def rules_markdown() -> str:
    """`docs/diff-rules.md`: the registry as a table, after how to read it."""
    lines = [
        "# Diff rules",
        "",
        "`qmt-abigen diff OLD NEW` reports every change between two specs as one of these rules.",
        "Each is classified twice, because plugins and hosts upgrade separately:",
        "",
        "- **plugins**: a plugin built against OLD, loaded by a host written for NEW;",
        "- **hosts**: a host written for OLD, loading a plugin built against NEW.",
        "",
        "`input-*` rules are about documents the host writes and the plugin reads (export",
        "inputs, host-function results); `output-*` rules about documents the plugin writes and",
        "the host reads (export outputs, error messages, host-function arguments). Readers",
        "ignore unknown fields unless the struct denies them (serde's default).",
        "",
        "Levels follow buf's categories: `wire` changes the bytes of a call, `json` the shape of",
        "a JSON document, `source` only the generated code (built binaries keep working). The",
        "command exits 1 when any change breaks plugins or hosts, 0 otherwise.",
        "",
        "This file is generated from `generator/diff/rules.py` by `qmt-abigen diff-rules`.",
        "",
        "| rule | level | plugins | hosts | what changed |",
        "|---|---|---|---|---|",
    ]
    lines.extend(
        f"| `{r.id}` | {r.level} | {r.plugins} | {r.hosts} | {r.summary} |" for r in RULES
    )
    return "\n".join(lines) + "\n"
