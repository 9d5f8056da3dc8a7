"""The reference page covers every export and type of the spec, with encodings and examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator import ir
from generator.loader import load_spec
from generator.targets import docs

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml", display_root=ROOT)
PAGE = docs.render(SPEC)[f"docs/{SPEC.slug}.md"]


def section(heading: str) -> str:
    start = PAGE.index(heading)
    rest = PAGE[start + len(heading) :]
    following = re.search(r"\n#{2,3} ", rest)
    return rest[: following.start()] if following else rest


def test_page_on_disk_is_the_rendered_page() -> None:
    assert (ROOT / "generated" / "docs" / f"{SPEC.slug}.md").read_text(encoding="utf-8") == PAGE


@pytest.mark.parametrize("export", SPEC.exports, ids=lambda e: e.name)
def test_every_export_has_encodings_and_an_example(export: ir.Export) -> None:
    text = section(f'### <a id="export-{export.name}"></a>`{export.name}`')
    assert export.description in text
    assert "- **Input:**" in text and "- **Output:**" in text
    assert "Example (" in text
    for example in export.examples:
        if export.output.encoding is ir.Encoding.JSON:
            assert json.dumps(example.output, separators=(",", ":"), ensure_ascii=False) in text
        elif isinstance(example.output, str):
            assert example.output in text


@pytest.mark.parametrize("type_def", SPEC.types, ids=lambda t: t.name)
def test_every_type_has_its_wire_shape_and_an_example(type_def: ir.TypeDef) -> None:
    text = section(f"### {type_def.name}\n")
    assert type_def.description in text
    assert "```json" in text
    if isinstance(type_def, ir.Struct):
        for field in type_def.fields:
            assert f"| `{field.wire_name}` |" in text
    else:
        for variant in type_def.variants:
            assert f"| `{variant.name}` |" in text


def test_wire_details_are_spelled_out() -> None:
    assert "| `type` | `string` | required; Rust `tool_type` |" in PAGE
    assert "also read as `prompt_tokens`, `prompt_eval_count`, `promptTokenCount`" in PAGE
    assert '| `Image` | `{"Image": [ImageMime, bytes]}` |' in PAGE
    assert "raw UTF-8; empty = none" in PAGE


def test_error_convention_and_host_behaviour() -> None:
    assert "## Errors" in PAGE and f"Return code: `{SPEC.error.code}`" in PAGE
    for step in SPEC.host.load_sequence:
        assert step.description in PAGE
    assert SPEC.host.allowed_hosts in PAGE
