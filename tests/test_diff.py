"""`qmt-abigen diff`: one spec pair per rule (the base spec and one mutation of it, each loaded
by the real loader) with the rule's classification for old plugins and old hosts; the real
v1 -> v2 and 0.5.2 -> 0.6.0 reports; the command's exit statuses and `--json`."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from generator.cli import app
from generator.diff import RULES, Impact, Level, Report, diff, rule
from generator.diff.rules import rules_markdown
from generator.loader import load_spec
from generator.targets.changes import render_shared

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "fixtures" / "diff" / "base.yaml"
V1 = ROOT / "spec" / "querymt-extism-v1.yaml"
V2 = ROOT / "spec" / "querymt-extism-v2.yaml"
B, C = Impact.BREAKING, Impact.COMPATIBLE
Spec = dict[str, Any]
Mutation = Callable[[Spec], None]
runner = CliRunner()


# ---------------------------------------------------------------------------- mutation helpers


def _fields(spec: Spec, type_name: str) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = spec["types"][type_name]["fields"]
    return fields


def _field(spec: Spec, type_name: str, name: str) -> dict[str, Any]:
    return next(f for f in _fields(spec, type_name) if f["name"] == name)


def _drop_field(type_name: str, name: str) -> Mutation:
    def mutate(spec: Spec) -> None:
        spec["types"][type_name]["fields"] = [
            f for f in _fields(spec, type_name) if f["name"] != name
        ]

    return mutate


def _add_field(type_name: str, **raw: Any) -> Mutation:
    def mutate(spec: Spec) -> None:
        _fields(spec, type_name).append({"description": "Added.", **raw})

    return mutate


def _set_field(type_name: str, field_name: str, **changes: Any) -> Mutation:
    def mutate(spec: Spec) -> None:
        target = _field(spec, type_name, field_name)
        for key, value in changes.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value

    return mutate


def _variants(spec: Spec, type_name: str) -> list[dict[str, Any]]:
    variants: list[dict[str, Any]] = spec["types"][type_name]["variants"]
    return variants


def _add_variant(type_name: str, name: str) -> Mutation:
    return lambda spec: _variants(spec, type_name).append({"name": name, "description": "New."})


def _drop_variant(type_name: str, name: str) -> Mutation:
    def mutate(spec: Spec) -> None:
        spec["types"][type_name]["variants"] = [
            v for v in _variants(spec, type_name) if v["name"] != name
        ]

    return mutate


def _set(path: str, value: Any) -> Mutation:
    """Set a value by a dotted path (`exports.shout.optional`)."""

    def mutate(spec: Spec) -> None:
        *parents, last = path.split(".")
        node = spec
        for key in parents:
            node = node[key]
        node[last] = value

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(spec: Spec) -> None:
        *parents, last = path.split(".")
        node = spec
        for key in parents:
            node = node[key]
        del node[last]

    return mutate


def _copy_export(source: str, name: str, **changes: Any) -> Mutation:
    def mutate(spec: Spec) -> None:
        spec["exports"][name] = {**copy.deepcopy(spec["exports"][source]), **changes}

    return mutate


def _hf(spec: Spec, name: str) -> dict[str, Any]:
    return next(f for f in spec["host_functions"] if f["name"] == name)


def _copy_hf(source: str, name: str) -> Mutation:
    def mutate(spec: Spec) -> None:
        spec["host_functions"].append({**copy.deepcopy(_hf(spec, source)), "name": name})

    return mutate


def _set_hf(name: str, **changes: Any) -> Mutation:
    return lambda spec: _hf(spec, name).update(changes)


def _drop_hf(name: str) -> Mutation:
    def mutate(spec: Spec) -> None:
        spec["host_functions"] = [f for f in spec["host_functions"] if f["name"] != name]

    return mutate


def _rename_type(old: str, new: str) -> Mutation:
    def mutate(spec: Spec) -> None:
        text = yaml.safe_dump(spec, sort_keys=False)
        spec.clear()
        spec.update(yaml.safe_load(re.sub(rf"\b{old}\b", new, text)))

    return mutate


def _all(*mutations: Mutation) -> Mutation:
    def mutate(spec: Spec) -> None:
        for m in mutations:
            m(spec)

    return mutate


def _noop(spec: Spec) -> None:
    del spec


_IMPORT = {"module": "extism:host/env", "name": "now", "params": [], "results": ["i64"]}


def _with_import(**changes: Any) -> Mutation:
    return lambda spec: spec.setdefault("imports", []).append(
        {**_IMPORT, "description": "The clock.", **changes}
    )


_CHECK_EXPORT = {
    "description": "Checks a configuration.",
    "optional": False,
    "host_use": "Any time.",
    "output": {"encoding": "utf8", "description": "ok"},
}


def _check_export(input_type: str) -> Mutation:
    return _set(
        "exports.check",
        {**_CHECK_EXPORT, "input": {"encoding": "json", "type": input_type, "description": "x"}},
    )


# ---------------------------------------------------------------------------- one pair per rule


@dataclass(frozen=True)
class Case:
    rule: str
    plugins: Impact
    hosts: Impact
    new: Mutation
    """Turns the base into NEW."""
    old: Mutation = _noop
    """Turns the base into OLD."""
    also: frozenset[str] = field(default_factory=frozenset)
    """Rules the same mutation hits as well (a field made nullable is also made optional)."""


def _also(*ids: str) -> frozenset[str]:
    return frozenset(ids)


CASES: tuple[Case, ...] = (
    # exports
    Case("export-added-required", B, C, _copy_export("shout", "more")),
    Case("export-added-optional", C, C, _copy_export("shout", "more", optional=True)),
    Case("export-removed-required", C, B, _drop("exports.shout")),
    Case(
        "export-removed-optional",
        C,
        C,
        _all(
            _drop("exports.extra"),
            _set("host.load_sequence", [{"export": "name", "description": "x"}]),
        ),
        also=_also("load-call-removed"),
    ),
    Case("export-made-required", B, C, _set("exports.extra.optional", False)),
    Case("export-made-optional", C, B, _set("exports.shout.optional", True)),
    Case(
        "export-input-encoding-changed",
        B,
        B,
        _set("exports.shout.input", {"encoding": "json", "type": "string", "description": "x"}),
    ),
    Case(
        "export-input-now-ignored",
        B,
        C,
        _set("exports.shout.input", {"encoding": "ignored", "description": "x"}),
    ),
    Case(
        "export-input-now-read",
        C,
        B,
        _set("exports.extra.input", {"encoding": "utf8", "description": "x"}),
    ),
    Case(
        "export-output-encoding-changed",
        B,
        B,
        _set("exports.shout.output", {"encoding": "json", "type": "string", "description": "x"}),
    ),
    Case(
        "export-output-now-unused",
        C,
        B,
        _set("exports.shout.output", {"encoding": "empty", "description": "x"}),
    ),
    Case(
        "export-output-now-used",
        B,
        C,
        _noop,
        old=_set("exports.shout.output", {"encoding": "empty", "description": "x"}),
    ),
    Case("export-error-added", C, B, _set("exports.shout.errors", ["text", "typed"])),
    Case("export-error-removed", B, C, _set("exports.run.errors", ["text"])),
    Case(
        "export-error-changed",
        B,
        B,
        _all(
            _set(
                "error_conventions.plain",
                {"code": 1, "encoding": "utf8", "cause": "provider", "description": "Text."},
            ),
            _set("exports.run.errors", ["text", "plain"]),
        ),
    ),
    # host functions
    Case("host-function-added", C, B, _copy_hf("log", "log2")),
    Case("host-function-added-optional", C, C, _copy_hf("lookup", "lookup2")),
    Case("host-function-removed", B, C, _drop_hf("lookup")),
    Case("host-function-made-imported", C, B, _set_hf("lookup", imported=True)),
    Case(
        "host-function-signature-changed",
        B,
        B,
        _with_import(results=["i32"]),
        old=_with_import(),
    ),
    Case(
        "host-function-encoding-changed",
        B,
        B,
        _set_hf("lookup", input={"encoding": "json", "type": "string", "description": "x"}),
    ),
    # the load sequence and roles
    Case(
        "load-call-added",
        B,
        C,
        lambda s: s["host"]["load_sequence"].append({"export": "shout", "description": "x"}),
    ),
    Case(
        "load-call-removed",
        C,
        C,
        _set("host.load_sequence", [{"export": "name", "description": "x"}]),
    ),
    Case("load-order-changed", C, C, lambda s: s["host"]["load_sequence"].reverse()),
    Case("host-role-changed", B, B, _set("host.roles.base_url", "extra")),
    # input documents (Request: the host writes, the plugin reads)
    Case("input-field-added-required", C, B, _add_field("Request", name="more", type="string")),
    Case(
        "input-field-added-optional",
        C,
        C,
        _add_field("Request", name="more", type="string", nullable=True),
    ),
    Case(
        "input-field-added-strict",
        B,
        C,
        _add_field("StrictIn", name="c", type="string", nullable=True),
        also=_also("input-field-added-optional"),
    ),
    Case("input-field-removed-required", B, C, _drop_field("Request", "text")),
    Case("input-field-removed-optional", C, C, _drop_field("Request", "note")),
    Case(
        "input-field-removed-strict",
        C,
        B,
        _all(_drop_field("StrictIn", "a"), _add_field("StrictIn", name="z", type="u8")),
        old=_add_field("StrictIn", name="z", type="u8"),
        also=_also("input-field-removed-required"),
    ),
    Case(
        "input-field-renamed-with-alias",
        B,
        C,
        _set_field("Request", "text", rename="words", aliases=["text"]),
    ),
    Case("input-field-made-required", C, B, _set_field("Request", "note", required=True)),
    Case(
        "input-null-allowed",
        B,
        C,
        _set_field("Request", "text", nullable=True),
        also=_also("field-made-optional"),
    ),
    Case(
        "input-null-refused",
        C,
        B,
        _set_field("Request", "note", nullable=None),
        also=_also("input-field-made-required"),
    ),
    Case("input-integer-widened", B, C, _set_field("Request", "count", type="u64")),
    Case("input-integer-narrowed", C, B, _set_field("Request", "count", type="u16")),
    Case("input-variant-added", B, C, _add_variant("Mode", "Medium")),
    Case("input-variant-removed", C, B, _drop_variant("Mode", "Slow")),
    # output documents (Response: the plugin writes, the host reads)
    Case("output-field-added-required", B, C, _add_field("Response", name="more", type="string")),
    Case(
        "output-field-added-optional",
        C,
        C,
        _add_field("Response", name="more", type="string", nullable=True),
    ),
    Case(
        "output-field-added-strict",
        C,
        B,
        _add_field("StrictOut", name="c", type="string", nullable=True),
        also=_also("output-field-added-optional"),
    ),
    Case("output-field-removed-required", C, B, _drop_field("Response", "text")),
    Case("output-field-removed-optional", C, C, _drop_field("Response", "note")),
    Case(
        "output-field-removed-strict",
        B,
        C,
        _all(_drop_field("StrictOut", "b"), _add_field("StrictOut", name="z", type="u8")),
        old=_add_field("StrictOut", name="z", type="u8"),
        also=_also("output-field-removed-required"),
    ),
    Case(
        "output-field-renamed-with-alias",
        C,
        B,
        _set_field("Response", "text", rename="words", aliases=["text"]),
    ),
    Case("output-field-made-required", B, C, _set_field("Response", "note", required=True)),
    Case(
        "output-null-allowed",
        C,
        B,
        _set_field("Response", "text", nullable=True),
        also=_also("field-made-optional"),
    ),
    Case(
        "output-null-refused",
        B,
        C,
        _set_field("Response", "note", nullable=None),
        also=_also("output-field-made-required"),
    ),
    Case("output-integer-widened", C, B, _set_field("Response", "total", type="u64")),
    Case("output-integer-narrowed", B, C, _set_field("Response", "total", type="u16")),
    Case("output-variant-added", C, B, _add_variant("Level", "Mid")),
    Case("output-variant-removed", B, C, _drop_variant("Level", "High")),
    # either direction
    Case("field-renamed", B, B, _set_field("Request", "text", rename="words")),
    Case("field-made-optional", C, C, _set_field("Request", "text", default="")),
    Case("field-alias-added", C, C, _set_field("Request", "text", aliases=["body"])),
    Case(
        "field-alias-removed",
        C,
        C,
        _noop,
        old=_set_field("Request", "text", aliases=["body"]),
    ),
    Case(
        "variant-renamed",
        B,
        B,
        lambda s: _variants(s, "Mode")[0].update(rename="fast"),
    ),
    Case("variant-added-with-fallback", C, C, _add_variant("Color", "Blue")),
    Case("variant-removed-with-fallback", C, C, _noop, old=_add_variant("Color", "Blue")),
    Case("tagging-changed", B, B, _set("types.Shape.tag", "type")),
    Case("integer-range-changed", B, B, _set_field("Request", "count", type="i32")),
    Case(
        "float-width-changed",
        C,
        C,
        lambda s: _variants(s, "Shape")[1]["fields"][0].update(type="f32"),
    ),
    Case("type-kind-changed", B, B, _set_field("Request", "count", type="list<u32>")),
    # generated source only
    Case(
        "renamed-in-source",
        C,
        C,
        _set_field("Request", "text", name="words", rename="text"),
    ),
    Case("type-renamed", C, C, _rename_type("Problem", "Trouble")),
    Case("type-param-changed", C, C, _check_export("json"), old=_check_export("Config")),
)


def _write(tmp: Path, name: str, spec: Spec) -> Path:
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _pair(tmp: Path, case: Case) -> tuple[Path, Path]:
    base = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    old, new = copy.deepcopy(base), copy.deepcopy(base)
    case.old(old)
    case.new(new)
    return _write(tmp, "old", old), _write(tmp, "new", new)


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_each_rule_is_reported_with_its_classification(tmp_path: Path, case: Case) -> None:
    old_path, new_path = _pair(tmp_path, case)
    report = diff(load_spec(old_path), load_spec(new_path))
    assert {c.rule for c in report.changes} == {case.rule} | case.also, report.changes
    hit = rule(case.rule)
    assert (hit.plugins, hit.hosts) == (case.plugins, case.hosts)
    breaking = B in (case.plugins, case.hosts) or any(
        B in (rule(r).plugins, rule(r).hosts) for r in case.also
    )
    code = runner.invoke(app, ["diff", str(old_path), str(new_path)]).exit_code
    assert code == (1 if breaking else 0)


def test_every_rule_has_a_pair_and_rule_ids_are_unique_kebab_case() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", i) for i in ids)
    assert sorted(c.rule for c in CASES) == sorted(ids)


def test_input_and_output_rules_mirror_each_other() -> None:
    by_id = {r.id: r for r in RULES}
    inputs = [i for i in by_id if i.startswith("input-")]
    assert inputs
    for input_id in inputs:
        a, b = by_id[input_id], by_id["output-" + input_id.removeprefix("input-")]
        # What breaks old hosts when the host writes breaks old plugins when the plugin writes.
        assert (a.plugins, a.hosts) == (b.hosts, b.plugins), input_id
        assert a.level is b.level is Level.JSON


def test_the_rules_page_is_the_registry() -> None:
    assert (ROOT / "docs" / "diff-rules.md").read_text(encoding="utf-8") == rules_markdown()
    assert runner.invoke(app, ["diff-rules"]).stdout == rules_markdown()


def test_a_type_used_in_an_error_is_compared_as_output(tmp_path: Path) -> None:
    base = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    new = copy.deepcopy(base)
    _add_field("Problem", name="code", type="u16")(new)
    report = diff(load_spec(_write(tmp_path, "old", base)), load_spec(_write(tmp_path, "new", new)))
    (change,) = report.changes
    assert (change.rule, change.subject, change.via) == (
        "output-field-added-required",
        "type Problem.code",
        "run error",
    )


def test_a_type_in_both_directions_is_reported_per_direction(tmp_path: Path) -> None:
    base = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    _add_field("Response", name="mode", type="Mode")(base)
    new = copy.deepcopy(base)
    _add_variant("Mode", "Medium")(new)
    report = diff(load_spec(_write(tmp_path, "old", base)), load_spec(_write(tmp_path, "new", new)))
    assert {c.rule for c in report.changes} == {"input-variant-added", "output-variant-added"}
    assert report.breaks("plugins") and report.breaks("hosts")


# ---------------------------------------------------------------------------- the real specs


def _rules_at(report: Report) -> dict[tuple[str, str], str]:
    return {(c.rule, c.subject): c.detail for c in report.changes}


@pytest.fixture(scope="module")
def v1_to_v2() -> Report:
    return diff(load_spec(V1), load_spec(V2))


def test_v1_to_v2_chat_message_is_incompatible(v1_to_v2: Report) -> None:
    hits = _rules_at(v1_to_v2)
    assert hits[("type-kind-changed", "type ChatMessage.content")] == "string -> list<Content>"
    assert ("input-field-removed-required", "type ChatMessage.message_type") in hits
    assert ("input-field-added-optional", "type ChatMessage.cache") in hits
    assert rule("type-kind-changed").plugins is rule("type-kind-changed").hosts is B


def test_v1_to_v2_usage_grows_with_defaults(v1_to_v2: Report) -> None:
    usage = [c for c in v1_to_v2.changes if c.subject.startswith("type Usage.")]
    assert usage and all(rule(c.rule).plugins is rule(c.rule).hosts is C for c in usage)
    hits = _rules_at(v1_to_v2)
    assert hits[("field-made-optional", "type Usage.input_tokens")].endswith("(default 0)")
    assert ("output-field-added-optional", "type Usage.reasoning_tokens") in hits
    assert ("output-field-added-optional", "type ExtismChatResponse.finish_reason") in hits


def test_v1_to_v2_http_moves_to_the_host(v1_to_v2: Report) -> None:
    hits = _rules_at(v1_to_v2)
    assert ("host-function-removed", "host function extism:host/env::http_request") in hits
    assert ("host-function-added", "host function extism:host/user::qmt_http_request") in hits
    assert ("host-function-added", "host function extism:host/user::qmt_log") in hits
    for gone in ("chat", "embed", "complete", "list_models"):
        assert ("export-removed-required", f"export {gone}") in hits
    for came in ("chat_request", "parse_chat_response", "embed_request", "list_models_request"):
        assert ("export-added-required", f"export {came}") in hits


def test_v1_to_v2_init_logging_is_required_at_load(v1_to_v2: Report) -> None:
    hits = _rules_at(v1_to_v2)
    assert ("export-added-required", "export init_logging") in hits
    assert hits[("load-call-added", "host load sequence")] == "calls init_logging"
    assert ("export-error-added", "export from_config") in hits
    assert ("export-added-optional", "export classify_chat_error") in hits


def test_v1_to_v2_breaks_both_sides_and_exits_1(v1_to_v2: Report) -> None:
    assert v1_to_v2.breaks("plugins") and v1_to_v2.breaks("hosts")
    assert runner.invoke(app, ["diff", str(V1), str(V2)]).exit_code == 1


def test_the_v2_dialects_differ_by_classify_chat_error_and_typed_config_errors() -> None:
    v2 = load_spec(V2)
    report = diff(v2, v2, old_dialect="0.5.2", new_dialect="0.6.0")
    hits = _rules_at(report)
    assert ("export-added-optional", "export classify_chat_error") in hits
    assert ("export-error-added", "export from_config") in hits
    assert ("type-param-changed", "export from_config input") in hits
    provider = {s for r, s in hits if s.startswith("type LLMErrorPayload::provider_error.")}
    assert provider == {
        f"type LLMErrorPayload::provider_error.{f}"
        for f in ("kind", "code", "error_type", "request_id", "retry_after_secs")
    }
    assert report.breaks("hosts") and not report.breaks("plugins")
    # Backwards, the newer fields disappear again: optional, so nothing breaks for them.
    back = diff(v2, v2, old_dialect="0.6.0", new_dialect="0.5.2")
    assert ("export-removed-optional", "export classify_chat_error") in _rules_at(back)
    # One spec and no NEW: oldest dialect to newest.
    result = runner.invoke(app, ["diff", str(V2), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["old"] == "querymt-extism-v2 (0.5.2)"


@pytest.mark.parametrize("path", [V1, V2, BASE])
def test_a_spec_against_itself_has_no_changes(path: Path) -> None:
    spec = load_spec(path)
    assert diff(spec, spec).changes == ()
    result = runner.invoke(app, ["diff", str(path), str(path)])
    assert result.exit_code == 0
    assert "No changes" in result.stdout


def test_json_is_stable_sorted_and_complete() -> None:
    result = runner.invoke(app, ["diff", str(V1), str(V2), "--json"])
    again = runner.invoke(app, ["diff", str(V1), str(V2), "--json"])
    assert result.stdout == again.stdout
    document = json.loads(result.stdout)
    assert list(document) == ["breaking", "changes", "new", "old"]
    assert document["old"] == "querymt-extism-v1"
    assert document["new"] == "querymt-extism-v2 (0.6.0)"
    changes = document["changes"]
    assert [(c["subject"], c["rule"]) for c in changes] == sorted(
        (c["subject"], c["rule"]) for c in changes
    )
    assert all(
        set(c) == {"rule", "level", "plugins", "hosts", "subject", "detail", "via"} for c in changes
    )
    for c in changes:
        r = rule(c["rule"])
        assert (c["plugins"], c["hosts"], c["level"]) == (r.plugins, r.hosts, r.level)
    assert document["breaking"] == {
        "plugins": sum(c["plugins"] == "breaking" for c in changes),
        "hosts": sum(c["hosts"] == "breaking" for c in changes),
    }


def test_the_table_names_every_change_and_the_summary() -> None:
    result = runner.invoke(app, ["diff", str(V1), str(V2)])
    assert "ChatMessage.content" in result.stdout and "type-kind-changed" in result.stdout
    assert re.search(r"\d+ changes from querymt-extism-v1 to querymt-extism-v2", result.stdout)


# ---------------------------------------------------------------------------- bad input


def test_an_invalid_spec_exits_2_with_its_diagnostics(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BASE.read_text(encoding="utf-8").replace("type: u32", "type: u33", 1))
    result = runner.invoke(app, ["diff", str(BASE), str(broken)])
    assert result.exit_code == 2
    assert re.search(r"broken\.yaml:\d+:\d+: .*u33", result.stderr)
    assert "Traceback" not in result.output and result.stdout == ""


def test_both_sides_are_checked_before_comparing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")])
    assert result.exit_code == 2
    assert "a.yaml" in result.stderr and "b.yaml" in result.stderr
    assert "2 errors." in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to-dialect", "0.9.9"], "no dialect '0.9.9'; its dialects are 0.5.2, 0.6.0"),
        (["--from-dialect", "x"], "no dialect 'x'"),
    ],
)
def test_an_unknown_dialect_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["diff", str(V2), *args])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_one_spec_without_dialects_asks_for_new() -> None:
    result = runner.invoke(app, ["diff", str(V1)])
    assert result.exit_code == 2
    assert "fewer than two dialects" in result.stderr


# ---------------------------------------------------------------------------- generated reports


def test_the_generated_reports_are_the_diff_of_the_specs() -> None:
    files = render_shared([load_spec(V1, display_root=ROOT), load_spec(V2, display_root=ROOT)])
    assert sorted(files) == [
        "docs/changes/querymt-extism-v1-to-v2.md",
        "docs/changes/querymt-extism-v2-0.5.2-to-0.6.0.md",
    ]
    for path, text in files.items():
        assert (ROOT / "generated" / path).read_text(encoding="utf-8") == text
    assert "`type ChatMessage.content`" in files["docs/changes/querymt-extism-v1-to-v2.md"]
