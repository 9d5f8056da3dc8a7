"""QueryMT's current ABI (v2): the generated crate's serde types against the v2 wire cases.

The same cases drive the JSON Schemas and the Python models (tests/test_v2_wire.py); here the
native checker (tests/serde_wire.py) deserializes each as its type in
`generated/rust/querymt-extism-v2` (type parameters as `serde_json::Value`) and serializes it
back. serde accepts every `valid` document and writes it back unchanged, refuses every
`invalid` one, reads every `serde_only` form, and reads the first document of each
`rewrites` pair and writes the second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from serde_wire import build_checker, load_cases, run_checker

from generator.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v2.yaml", display_root=ROOT)
CASES = load_cases(Path(__file__).parent / "fixtures" / "wire_cases_v2.yaml")


@pytest.fixture(scope="module")
def checker() -> Path:
    return build_checker(SPEC)


def cases(kind: str) -> list[tuple[str, Any]]:
    return [(name, doc) for name, c in sorted(CASES.items()) for doc in c.get(kind, [])]


def test_serde_accepts_every_valid_document_and_writes_it_back_unchanged(checker: Path) -> None:
    valid = cases("valid")
    wrong = [
        (name, document, verdict)
        for (name, document), verdict in zip(valid, run_checker(checker, valid), strict=True)
        if verdict.verdict != "ok" or verdict.written != document
    ]
    assert wrong == []


def test_serde_refuses_every_invalid_document(checker: Path) -> None:
    invalid = cases("invalid")
    accepted = [
        (name, document, verdict.output)
        for (name, document), verdict in zip(invalid, run_checker(checker, invalid), strict=True)
        if verdict.verdict != "err"
    ]
    assert accepted == []


def test_serde_reads_the_forms_nothing_writes(checker: Path) -> None:
    lenient = cases("serde_only")
    assert lenient, "the fixture lists serde's lenient forms"
    refused = [
        (name, document, verdict.output)
        for (name, document), verdict in zip(lenient, run_checker(checker, lenient), strict=True)
        if verdict.verdict != "ok"
    ]
    assert refused == []


def test_serde_writes_each_rewrite_as_the_case_says(checker: Path) -> None:
    pairs = [
        (name, read, out)
        for name, c in sorted(CASES.items())
        for read, out in c.get("rewrites", [])
    ]
    assert pairs, "the fixture lists rewrites"
    verdicts = run_checker(checker, [(name, read) for name, read, _ in pairs])
    wrong = [
        (name, read, out, verdict)
        for (name, read, out), verdict in zip(pairs, verdicts, strict=True)
        if verdict.verdict != "ok" or verdict.written != out
    ]
    assert wrong == []


def test_every_spec_type_is_checked(checker: Path) -> None:
    verdicts = run_checker(checker, [(t.name, None) for t in SPEC.types])
    assert [v for v in verdicts if v.verdict == "unknown"] == []
    assert sorted(CASES) == sorted(t.name for t in SPEC.types)
