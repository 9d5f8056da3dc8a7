"""The spec format's own schema: valid, referenced by every spec file, and enforced."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from generator.loader import FORMAT_SCHEMA, spec_files

ROOT = Path(__file__).resolve().parent.parent


def test_format_schema_is_valid_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(FORMAT_SCHEMA.read_text()))


def test_every_spec_names_the_format_schema_for_editors() -> None:
    files = spec_files()
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=./abi-spec.schema.json"
        assert (path.parent / "abi-spec.schema.json").is_file()


def test_every_spec_validates_against_the_format_schema() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(FORMAT_SCHEMA.read_text()))
    for path in spec_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert [e.message for e in validator.iter_errors(data)] == []
        assert data["format"] == 1
        assert data["abi_version"] >= 1
