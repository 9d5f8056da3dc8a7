"""The generated pydantic models against the wire: golden JSON both ways, serde's accept/reject
cases, Python-side construction, and the cost of validating the externally tagged enum."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from generator import ir
from generator.loader import load_spec

SPEC = load_spec(Path(__file__).resolve().parent.parent / "spec" / "querymt-extism-v1.yaml")
WIRE_CASES: dict[str, dict[str, list[Any]]] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "wire_cases.yaml").read_text(encoding="utf-8")
)

from querymt_extism_v1 import models  # noqa: E402  (conftest puts generated/python on the path)


class WireAdapter:
    """Parses like the bindings parse plugin output: wire names only (serde's rules)."""

    def __init__(self, name: str) -> None:
        self.inner: TypeAdapter[Any] = TypeAdapter(getattr(models, name))

    def validate_json(self, data: str | bytes) -> Any:
        return self.inner.validate_json(data, by_alias=True, by_name=False)

    def dump_json(self, value: Any, **kwargs: Any) -> bytes:
        return self.inner.dump_json(value, **kwargs)


def adapter(name: str) -> WireAdapter:
    return WireAdapter(name)


def wire(name: str, value: Any) -> Any:
    return json.loads(adapter(name).dump_json(value, by_alias=True))


def _examples() -> list[tuple[str, Any]]:
    return [(t.name, e) for t in SPEC.types for e in t.examples]


@pytest.mark.parametrize(("type_name", "document"), _examples())
def test_spec_examples_round_trip_exactly(type_name: str, document: Any) -> None:
    value = adapter(type_name).validate_json(json.dumps(document))
    assert wire(type_name, value) == document


def _cases(kind: str) -> list[tuple[str, Any]]:
    return [(name, doc) for name, c in sorted(WIRE_CASES.items()) for doc in c.get(kind, [])]


@pytest.mark.parametrize(("type_name", "document"), _cases("valid"))
def test_models_accept_what_serde_accepts(type_name: str, document: Any) -> None:
    adapter(type_name).validate_json(json.dumps(document))


# Where pydantic is more lenient than serde and the bindings accept it on purpose.
KNOWN_LENIENT = {
    # AliasChoices takes the first name present; serde rejects a duplicate field.
    ("Usage", "duplicate"),
}


@pytest.mark.parametrize(("type_name", "document"), _cases("invalid") + _cases("serde_only"))
def test_models_reject_what_serde_rejects(type_name: str, document: Any) -> None:
    with pytest.raises(ValidationError):
        adapter(type_name).validate_json(json.dumps(document))


def test_every_type_is_a_model() -> None:
    for type_def in SPEC.types:
        assert hasattr(models, type_def.name), type_def.name


# --------------------------------------------------------------------------- golden wire


def test_renamed_fields_use_the_wire_name_both_ways() -> None:
    tool = models.Tool(
        tool_type="function", function={"name": "f", "description": "d", "parameters": {}}
    )
    assert tool.to_wire() == {
        "type": "function",
        "function": {"name": "f", "description": "d", "parameters": {}},
    }
    call = models.ToolCall.model_validate(
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    )
    assert call.call_type == "function"
    assert json.loads(call.model_dump_json()) == {
        "id": "c",
        "type": "function",
        "function": {"name": "f", "arguments": "{}"},
    }


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"input_tokens": 1, "output_tokens": 2}, (1, 2)),
        ({"prompt_tokens": 3, "completion_tokens": 4}, (3, 4)),
        ({"prompt_eval_count": 5, "eval_count": 6}, (5, 6)),
        ({"promptTokenCount": 7, "candidatesTokenCount": 8}, (7, 8)),
    ],
)
def test_usage_aliases_are_accepted_and_dumped_as_the_wire_name(
    document: dict[str, int], expected: tuple[int, int]
) -> None:
    usage = models.Usage.model_validate_json(json.dumps(document))
    assert (usage.input_tokens, usage.output_tokens) == expected
    assert usage.to_wire() == {"input_tokens": expected[0], "output_tokens": expected[1]}
    assert models.Usage(input_tokens=1, output_tokens=2).to_wire() == {
        "input_tokens": 1,
        "output_tokens": 2,
    }


def test_u32_bounds_are_enforced() -> None:
    with pytest.raises(ValidationError):
        models.Usage(input_tokens=2**32, output_tokens=0)
    with pytest.raises(ValidationError):
        models.Usage(input_tokens=-1, output_tokens=0)


def test_nullable_fields_are_written_as_null() -> None:
    assert models.ExtismChatResponse().to_wire() == {
        "text": None,
        "tool_calls": None,
        "thinking": None,
        "usage": None,
    }
    request = models.CompletionRequest(prompt="p")
    assert (
        request.to_wire_json()
        == b'{"prompt":"p","suffix":null,"max_tokens":null,"temperature":null}'
    )


@pytest.mark.parametrize(
    ("python", "document"),
    [
        ("Text", "Text"),
        (
            lambda: models.MessageTypeImage(value=(models.ImageMime.PNG, b"\x89P")),
            {"Image": ["PNG", [137, 80]]},
        ),
        (lambda: models.MessageTypePdf(value=b"%P"), {"Pdf": [37, 80]}),
        (
            lambda: models.MessageTypeImageURL(value="https://x/y.png"),
            {"ImageURL": "https://x/y.png"},
        ),
        (
            lambda: models.MessageTypeToolUse(
                value=[
                    models.ToolCall(
                        id="1", call_type="function", function={"name": "f", "arguments": "{}"}
                    )
                ]
            ),
            {
                "ToolUse": [
                    {"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ]
            },
        ),
    ],
)
def test_message_type_is_externally_tagged(python: Any, document: Any) -> None:
    value = python() if callable(python) else python
    assert wire("MessageType", value) == document
    parsed = adapter("MessageType").validate_json(json.dumps(document))
    assert wire("MessageType", parsed) == document
    if not isinstance(value, str):
        assert type(parsed) is type(value)


@pytest.mark.parametrize(
    "document",
    [
        "Image",  # a data variant without its data
        "Nope",
        {"Text": None},  # a unit variant as an object
        {"Image": ["PNG", [1]], "Pdf": [1]},  # two keys
        {"Image": ["BMP", [1]]},
        {"Image": ["PNG", [256]]},  # not a byte
        {"Image": ["PNG"]},
        {"value": [1]},  # the Python name is not a wire tag
        {},
        3,
    ],
)
def test_message_type_rejects_what_serde_rejects(document: Any) -> None:
    with pytest.raises(ValidationError):
        adapter("MessageType").validate_json(json.dumps(document))


def test_chat_message_with_every_variant_round_trips() -> None:
    for example in SPEC.type("MessageType").examples:
        message = {"role": "User", "message_type": example, "content": ""}
        parsed = models.ChatMessage.model_validate_json(json.dumps(message))
        assert parsed.to_wire() == message


def test_python_type_mapping_is_total() -> None:
    from generator.targets.python import py_type

    for name in ir.PRIMITIVE_NAMES:
        assert py_type(ir.Primitive(name))
