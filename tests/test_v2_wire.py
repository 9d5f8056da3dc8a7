"""QueryMT's current ABI (v2) against its wire cases: the generated JSON Schemas (the files on
disk) and the generated Python models accept exactly what serde accepts, refuse what it refuses,
and write back what serde writes (`rewrites`).

The same cases (fixtures/wire_cases_v2.yaml) drive the generated crate's serde types too
(tests/test_rust_wire_v2.py): one document per line, deserialized as the type and serialized back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from generator.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v2.yaml", display_root=ROOT)
BUNDLE = json.loads(
    (ROOT / "generated" / "schemas" / f"{SPEC.slug}.json").read_text(encoding="utf-8")
)
CASES: dict[str, dict[str, list[Any]]] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "wire_cases_v2.yaml").read_text(encoding="utf-8")
)

from querymt_extism_v2 import models  # noqa: E402  (conftest puts generated/python on the path)


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**BUNDLE, "$ref": f"#/$defs/{name}"})


def python_name(name: str) -> str:
    return SPEC.type(name).name_in("python")


def adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(getattr(models, python_name(name)))


def parse(name: str, document: Any) -> Any:
    """Like the bindings parse plugin output: wire names only, serde's rules."""
    return adapter(name).validate_json(json.dumps(document), by_alias=True, by_name=False)


def written(name: str, value: Any) -> Any:
    return json.loads(adapter(name).dump_json(value, by_alias=True))


def cases(kind: str) -> list[tuple[str, Any]]:
    return [(name, doc) for name, c in sorted(CASES.items()) for doc in c.get(kind, [])]


def rewrites() -> list[tuple[str, Any, Any]]:
    return [
        (name, read, out)
        for name, c in sorted(CASES.items())
        for read, out in c.get("rewrites", [])
    ]


def test_every_type_has_accepted_and_refused_cases() -> None:
    assert sorted(CASES) == sorted(t.name for t in SPEC.types)
    for name, c in CASES.items():
        assert c.get("valid") and c.get("invalid"), name
        assert set(c) <= {"valid", "invalid", "serde_only", "rewrites"}, name


@pytest.mark.parametrize(("type_name", "document"), cases("valid"))
def test_accepted_documents_round_trip(type_name: str, document: Any) -> None:
    assert list(validator(type_name).iter_errors(document)) == []
    assert written(type_name, parse(type_name, document)) == document


@pytest.mark.parametrize(("type_name", "document"), cases("invalid"))
def test_refused_documents_are_refused_by_both(type_name: str, document: Any) -> None:
    assert not validator(type_name).is_valid(document)
    with pytest.raises(ValidationError):
        parse(type_name, document)


@pytest.mark.parametrize(("type_name", "document"), cases("serde_only"))
def test_forms_nothing_writes_are_refused_on_purpose(type_name: str, document: Any) -> None:
    assert not validator(type_name).is_valid(document)
    with pytest.raises(ValidationError):
        parse(type_name, document)


@pytest.mark.parametrize(("type_name", "read", "out"), rewrites())
def test_documents_are_written_back_as_serde_writes_them(
    type_name: str, read: Any, out: Any
) -> None:
    assert validator(type_name).is_valid(read)
    assert validator(type_name).is_valid(out)
    assert written(type_name, parse(type_name, read)) == out


def test_the_spec_examples_are_read_and_written_back_stably() -> None:
    """An example may use a form serde only reads (an alias, a missing default); what the
    models write for it is read back to the same value and written the same again."""
    for type_def in SPEC.types:
        for example in type_def.examples:
            once = written(type_def.name, parse(type_def.name, example))
            assert validator(type_def.name).is_valid(once), type_def.name
            assert written(type_def.name, parse(type_def.name, once)) == once, type_def.name
