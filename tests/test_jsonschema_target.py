"""The JSON Schema target: valid 2020-12, and accepting exactly the v1 wire format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator import ir
from generator.loader import load_spec
from generator.targets import jsonschema as target

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml", display_root=ROOT)
GENERATED = ROOT / "generated" / "schemas"
CASES: dict[str, dict[str, list[Any]]] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "wire_cases.yaml").read_text(encoding="utf-8")
)
VALIDATORS = target.type_validators(SPEC)


def all_schema_files() -> list[Path]:
    return sorted(GENERATED.rglob("*.json"))


def test_one_schema_per_export_side_and_a_bundle() -> None:
    specs = [SPEC, load_spec(ROOT / "spec" / "querymt-extism-v2.yaml", display_root=ROOT)]
    expected = {f"{s.slug}.json" for s in specs} | {
        f"{s.slug}/{e.name}.{side}.json"
        for s in specs
        for e in s.exports
        for side in ("input", "output")
    }
    assert {p.relative_to(GENERATED).as_posix() for p in all_schema_files()} == expected


@pytest.mark.parametrize("path", all_schema_files(), ids=lambda p: p.name)
def test_every_schema_passes_the_2020_12_metaschema(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_bundle_defs_use_querymt_names() -> None:
    bundle = json.loads((GENERATED / f"{SPEC.slug}.json").read_text(encoding="utf-8"))
    assert list(bundle["$defs"]) == sorted(t.name for t in SPEC.types)
    for name in ("ChatMessage", "MessageType", "Usage", "ExtismChatRequest"):
        assert bundle["$defs"][name]["description"]


def test_every_type_has_wire_cases() -> None:
    for type_def in SPEC.types:
        cases = CASES.get(type_def.name, {})
        assert cases.get("valid") and cases.get("invalid"), f"no wire cases for {type_def.name}"


@pytest.mark.parametrize(
    ("type_name", "document"),
    [(name, doc) for name, cases in CASES.items() for doc in cases["valid"]],
)
def test_serde_accepts(type_name: str, document: Any) -> None:
    errors = [e.message for e in VALIDATORS[type_name].iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize(
    ("type_name", "document"),
    [(name, doc) for name, cases in CASES.items() for doc in cases["invalid"]],
)
def test_serde_rejects(type_name: str, document: Any) -> None:
    assert not VALIDATORS[type_name].is_valid(document)


@pytest.mark.parametrize("export", SPEC.exports, ids=lambda e: e.name)
def test_export_examples_validate_against_the_files_on_disk(export: ir.Export) -> None:
    for example in export.examples:
        for side, value in (("input", example.input), ("output", example.output)):
            path = GENERATED / SPEC.slug / f"{export.name}.{side}.json"
            schema = json.loads(path.read_text(encoding="utf-8"))
            jsonschema.validate(value, schema, cls=jsonschema.Draft202012Validator)


def test_reference_chat_example_validates() -> None:
    document = {
        "cfg": {"api_key": "sk-test", "model": "gpt-4o-mini"},
        "messages": [
            {"role": "User", "message_type": "Text", "content": "What is the weather in Paris?"},
            {
                "role": "Assistant",
                "message_type": {
                    "ToolUse": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        }
                    ]
                },
                "content": "",
            },
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Current weather",
                    "parameters": {"type": "object"},
                },
            }
        ],
    }
    schema = json.loads((GENERATED / SPEC.slug / "chat.input.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(document)
    document["messages"][0]["role"] = "user"
    assert not validator.is_valid(document)


def test_encodings_are_annotated() -> None:
    def load(name: str) -> dict[str, Any]:
        text = (GENERATED / SPEC.slug / f"{name}.json").read_text(encoding="utf-8")
        result: dict[str, Any] = json.loads(text)
        return result

    assert load("name.output")["x-encoding"] == "utf8"
    assert load("name.input")["x-encoding"] == "ignored"
    api_key = load("api_key_name.output")
    assert api_key["x-empty-is-none"] is True
    assert api_key["type"] == ["string", "null"]
    assert load("config_schema.output")["contentMediaType"] == "application/schema+json"
    embed = load("embed.output")
    assert embed["items"]["items"]["x-rust-type"] == "f32"


def test_descriptions_travel_into_the_schemas() -> None:
    bundle = target.bundle(SPEC)
    for type_def in SPEC.types:
        definition = bundle["$defs"][type_def.name]
        assert definition["description"] == type_def.description
        if isinstance(type_def, ir.Struct):
            for field in type_def.fields:
                assert definition["properties"][field.wire_name]["description"] == field.description


def test_the_bundle_feeds_datamodel_code_generator_as_written() -> None:
    """Other tools read our extensions: the pinned model generator accepts the file unchanged."""
    from datamodel_code_generator import DataModelType, InputFileType, generate
    from datamodel_code_generator.format import Formatter

    source = (GENERATED / f"{SPEC.slug}.json").read_text(encoding="utf-8")
    models = generate(
        source,
        input_file_type=InputFileType.JsonSchema,
        output_model_type=DataModelType.PydanticV2BaseModel,
        disable_timestamp=True,
        formatters=[Formatter.BUILTIN],
    )
    assert isinstance(models, str)
    for type_def in SPEC.types:
        assert f"class {type_def.name}(" in models


@pytest.mark.parametrize(
    ("type_name", "document"),
    [(name, doc) for name, cases in CASES.items() for doc in cases.get("serde_only", [])],
)
def test_serde_only_forms_are_refused_on_purpose(type_name: str, document: Any) -> None:
    assert not VALIDATORS[type_name].is_valid(document)
