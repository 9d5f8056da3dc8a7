"""The loader: the real spec loads into the IR; every kind of bad spec gets its exact message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator import ir
from generator.diagnostics import SpecError
from generator.loader import load_spec, load_text

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "querymt-extism-v1.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


@pytest.fixture(scope="module")
def spec() -> ir.Spec:
    return load_spec(SPEC, display_root=ROOT)


def test_v1_spec_has_the_nine_exports(spec: ir.Spec) -> None:
    assert [e.name for e in spec.exports] == [
        "name", "base_url", "api_key_name", "config_schema", "from_config",
        "list_models", "chat", "embed", "complete",
    ]  # fmt: skip
    assert {e.name for e in spec.exports if e.optional} == {"base_url", "api_key_name"}


def test_v1_encodings(spec: ir.Spec) -> None:
    assert spec.export("name").input.encoding is ir.Encoding.IGNORED
    assert spec.export("name").output.encoding is ir.Encoding.UTF8
    assert spec.export("api_key_name").output.empty_is_none
    assert spec.export("config_schema").output.content_type == "application/schema+json"
    chat_in = spec.export("chat").input
    assert chat_in.type == ir.Named("ExtismChatRequest", (ir.TypeParam("Config"),))
    assert spec.export("embed").output.type == ir.ListOf(ir.ListOf(ir.Primitive("f32")))


def test_serde_facts_are_first_class(spec: ir.Spec) -> None:
    tool = spec.type("Tool")
    assert isinstance(tool, ir.Struct)
    assert (tool.fields[0].name, tool.fields[0].wire_name) == ("tool_type", "type")
    usage = spec.type("Usage")
    assert isinstance(usage, ir.Struct)
    assert usage.fields[0].aliases == ("prompt_tokens", "prompt_eval_count", "promptTokenCount")
    tools = spec.type("ExtismChatRequest")
    assert isinstance(tools, ir.Struct)
    assert tools.type_params == ("C",)
    nullable = tools.fields[2]
    assert (nullable.nullable, nullable.required, nullable.skip_if_null) == (True, False, False)
    message_type = spec.type("MessageType")
    assert isinstance(message_type, ir.EnumType)
    assert message_type.default_variant == "Text"
    assert message_type.variant("Image").payload == ir.TuplePayload(
        (ir.Named("ImageMime"), ir.Primitive("bytes"))
    )


def test_ir_is_frozen(spec: ir.Spec) -> None:
    with pytest.raises(AttributeError):
        spec.exports[0].name = "renamed"  # type: ignore[misc]


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_spec_reports_exact_message(fixture: Path) -> None:
    expected = fixture.with_suffix(".expected").read_text(encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(fixture.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == expected
    assert "Traceback" not in result.stderr


def test_all_errors_of_a_stage_are_reported_together() -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("list<Item>", "list<Itme>").replace("name: items", "name: match")
    text = text.replace("export: run, description", "export: walk, description")
    with pytest.raises(SpecError) as caught:
        load_text(text, "broken.yaml")
    messages = [d.message for d in caught.value.diagnostics]
    assert messages == [
        "field 'match' is a Rust keyword",
        "unknown type 'Itme'",
        "load step names unknown export 'walk'",
    ]
    assert all(d.file == "broken.yaml" for d in caught.value.diagnostics)


def test_examples_in_the_spec_are_checked() -> None:
    text = SPEC.read_text(encoding="utf-8").replace(
        "{input_tokens: 57, output_tokens: 9}}", "{input_tokens: -57, output_tokens: 9}}", 1
    )
    with pytest.raises(SpecError) as caught:
        load_text(text, "spec.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.pointer == "/types/ExtismChatResponse/examples/0"
    assert "-57 is less than the minimum of 0" in diagnostic.message


def test_a_malformed_entry_does_not_hide_the_others_problems() -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("    host_use: Always.", "    host_usage: Always.")  # export `run`
    text = text.replace("list<Item>", "list<Itme>")  # type `Request`
    with pytest.raises(SpecError) as caught:
        load_text(text, "mixed.yaml")
    messages = [d.message for d in caught.value.diagnostics]
    assert messages == [
        "unknown type 'Itme'",
        "'host_use' is required here",
        "unknown key 'host_usage'",
    ]


def test_references_to_a_malformed_type_are_not_reported_twice() -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("    description: An item.", "    descripton: An item.")
    with pytest.raises(SpecError) as caught:
        load_text(text, "item.yaml")
    messages = [d.message for d in caught.value.diagnostics]
    assert "unknown type 'Item'" not in messages
    assert "unknown key 'descripton'" in messages


def test_host_roles_and_is_config_are_spec_data() -> None:
    spec = load_spec(SPEC)
    assert spec.host.roles == ir.HostRoles(
        display_name="name",
        base_url="base_url",
        config_schema="config_schema",
        check_config="from_config",
    )
    assert [e.name for e in spec.exports if e.input.is_config] == ["list_models"]
    minimal = load_text((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"), "mini.yaml")
    assert minimal.host.roles == ir.HostRoles()  # no roles: the ABI has no such exports


def test_a_role_naming_an_unknown_export_and_a_misplaced_is_config_are_errors() -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("host:\n", "host:\n  roles: {display_name: title}\n")
    text = text.replace(
        "output: {encoding: utf8, description: A text.}",
        "output: {encoding: utf8, is_config: true, description: A text.}",
    )
    with pytest.raises(SpecError) as caught:
        load_text(text, "roles.yaml")
    found = [(d.pointer, d.message, d.hint) for d in caught.value.diagnostics]
    assert found == [
        (
            "/exports/run/output/is_config",
            "is_config applies to json inputs only",
            "it says the host sends its configuration as this export's input",
        ),
        (
            "/host/roles/display_name",
            "role display_name names unknown export 'title'",
            "Options are: run",
        ),
    ]
