"""The generated Rust types of ABI v1 against the same wire documents as the schema and the
Python models.

The native checker (tests/serde_wire.py) is written from the spec and fed every document of
`fixtures/wire_cases.yaml`. serde must accept exactly the valid ones and refuse the invalid
ones, and what it writes back must equal what the Python models write: spec, Rust and Python
agree on every type, not only on what the example plugin happens to send.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from serde_wire import build_checker, load_cases, run_checker

from generator.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml")
CASES = load_cases(Path(__file__).parent / "fixtures" / "wire_cases.yaml")


@pytest.fixture(scope="module")
def checker() -> Path:
    return build_checker(SPEC)


def cases(kind: str) -> list[tuple[str, Any]]:
    return [(name, doc) for name, groups in CASES.items() for doc in groups.get(kind, [])]


def test_serde_accepts_every_valid_document_and_writes_what_python_writes(checker: Path) -> None:
    from pydantic import TypeAdapter
    from querymt_extism_v1 import models

    valid = cases("valid")
    for (name, document), verdict in zip(valid, run_checker(checker, valid), strict=True):
        assert verdict.verdict == "ok", f"serde refused a valid {name}: {document!r}: {verdict}"
        python = TypeAdapter(getattr(models, name)).validate_json(json.dumps(document))
        dumped = TypeAdapter(getattr(models, name)).dump_json(python, by_alias=True)
        assert verdict.written == json.loads(dumped), f"{name}: {document!r}"


def test_serde_refuses_every_invalid_document(checker: Path) -> None:
    invalid = cases("invalid")
    accepted = [
        case
        for case, verdict in zip(invalid, run_checker(checker, invalid), strict=True)
        if verdict.verdict != "err"
    ]
    assert accepted == []


def test_documented_serde_leniency_is_real(checker: Path) -> None:
    """What serde reads but the schema refuses on purpose (see docs/spec-format.md)."""
    lenient = cases("serde_only")
    assert lenient, "the fixture lists serde's lenient forms"
    assert [v.verdict for v in run_checker(checker, lenient)] == ["ok"] * len(lenient)


def test_every_spec_type_is_checked(checker: Path) -> None:
    verdicts = run_checker(checker, [(t.name, None) for t in SPEC.types])
    assert [v for v in verdicts if v.verdict == "unknown"] == []
    assert set(CASES) == {t.name for t in SPEC.types}
