"""Checks what a v2 plugin returned against the generated JSON Schemas of the v2 ABI.

`check_call(call)` applies the schema of the export's output (by its `x-encoding`: JSON is
parsed, UTF-8 text is checked as a string, an empty or ignored output must be empty) to a successful
call, the `PluginError` schema to the error text of a return code 1, and requires free text
(not a `PluginError` document) for a return code -1. Any other return code fails.

Object schemas are checked closed (no properties beyond those listed), so an extra or
misspelled field fails too.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from qmt_v2_host import Call

SCHEMAS = Path(__file__).resolve().parent.parent / "generated" / "schemas" / "querymt-extism-v2"
ERROR_SCHEMA = "classify_chat_error.output.json"  # its output is a PluginError


def _closed(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _closed(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


@cache
def validator(filename: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / filename).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(_closed(schema))


def _check(filename: str, value: Any, what: str) -> None:
    errors = sorted(validator(filename).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        lines = [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors[:5]]
        raise AssertionError(f"{what} does not match {filename}:\n  " + "\n  ".join(lines))


def check_call(call: Call) -> None:
    what = f"{call.export} (rc {call.rc})"
    if call.rc == 0 and call.error is None:
        filename = f"{call.export}.output.json"
        encoding = json.loads((SCHEMAS / filename).read_text())["x-encoding"]
        if encoding in ("ignored", "empty"):
            assert call.output == b"", f"{what}: output should be empty, got {call.output!r}"
        elif encoding == "utf8":
            _check(filename, call.output.decode("utf-8"), what)
        else:
            assert encoding == "json", encoding
            _check(filename, json.loads(call.output), what)
    elif call.rc == 1:
        assert call.error is not None, f"{what}: no error text"
        _check(ERROR_SCHEMA, json.loads(call.error), what)
    elif call.rc == -1:
        assert call.error, f"{what}: no error text"
        try:
            document = json.loads(call.error)
        except ValueError:
            return
        assert not (
            isinstance(document, dict) and "payload" in document
        ), f"{what}: a typed error with return code -1: {call.error}"
    else:
        raise AssertionError(f"{what}: unexpected return code, error {call.error!r}")
