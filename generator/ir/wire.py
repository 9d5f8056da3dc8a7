"""How enum values look on the wire, decided once for every target.

serde's four taggings and a variant's payload give five layouts; targets lay a `VariantWire`
out in their own notation (a JSON Schema, a docs snippet, a docstring) but never re-derive it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import assert_never

from generator.ir.model import EnumType, Tagging, UnitPayload, Variant


class VariantForm(Enum):
    """The JSON shape of one variant."""

    STRING = "string"  # external, unit: `"Text"`
    SINGLE_KEY = "single_key"  # external, with data: `{"Pdf": <content>}`
    TAG_FIELDS = "tag_fields"  # internal: `{"type": "Text", ...fields}`
    TAG_CONTENT = "tag_content"  # adjacent: `{"t": "Pdf", "c": <content>}`
    NULL = "null"  # untagged, unit: `null`
    CONTENT = "content"  # untagged, with data: `<content>`


@dataclass(frozen=True)
class VariantWire:
    form: VariantForm
    name: str
    """The variant's wire name (the string, key or tag value)."""
    tag: str | None
    content_key: str | None
    has_content: bool


def variant_wire(enum: EnumType, variant: Variant) -> VariantWire:
    has_content = not isinstance(variant.payload, UnitPayload)
    match enum.tagging:
        case Tagging.EXTERNAL:
            form = VariantForm.SINGLE_KEY if has_content else VariantForm.STRING
        case Tagging.INTERNAL:
            form = VariantForm.TAG_FIELDS
        case Tagging.ADJACENT:
            form = VariantForm.TAG_CONTENT
        case Tagging.UNTAGGED:
            form = VariantForm.CONTENT if has_content else VariantForm.NULL
        case _:
            assert_never(enum.tagging)
    return VariantWire(form, variant.wire_name, enum.tag, enum.content, has_content)


def sketch(wire: VariantWire, content: str, fields: str) -> str:
    """The variant's JSON shape as text, with `content` standing for its payload and `fields`
    for a struct payload's own fields beside an internal tag (docs and docstrings show it)."""
    match wire.form:
        case VariantForm.STRING:
            return f'"{wire.name}"'
        case VariantForm.SINGLE_KEY:
            return f'{{"{wire.name}": {content}}}'
        case VariantForm.TAG_FIELDS:
            rest = f", {fields}" if wire.has_content else ""
            return f'{{"{wire.tag}": "{wire.name}"{rest}}}'
        case VariantForm.TAG_CONTENT:
            rest = f', "{wire.content_key}": {content}' if wire.has_content else ""
            return f'{{"{wire.tag}": "{wire.name}"{rest}}}'
        case VariantForm.NULL:
            return "null"
        case VariantForm.CONTENT:
            return content
        case _:
            assert_never(wire.form)


def is_string_enum(enum: EnumType) -> bool:
    """An enum whose every value is a bare string: targets write it as a string enumeration."""
    all_unit = all(isinstance(v.payload, UnitPayload) for v in enum.variants)
    return all_unit and enum.tagging in (Tagging.EXTERNAL, Tagging.ADJACENT)
