"""HTTP messages in the form they cross the boundary of a host-driven ABI (`http-serde-ext`'s
`{"req": {"head": {...}, "body": [bytes]}}` and `{"resp": ...}`, as the spec's request and
response types describe them; `ir.exchange.http_types` names the two types)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.hosttools.bindings import HttpAnswer

HTTP_VERSION = "HTTP/1.1"
"""The version QueryMT's host writes into every response it hands a plugin."""


@dataclass(frozen=True)
class WireRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


def read_request(value: Any) -> WireRequest | str:
    """The request a `*_request` export answered (already schema-checked), or why not."""
    try:
        message = value["req"]
        head = message["head"]
        headers: dict[str, str] = {}
        for name, item in head["headers"].items():
            headers[str(name)] = ", ".join(item) if isinstance(item, list) else str(item)
        return WireRequest(str(head["method"]), str(head["uri"]), headers, bytes(message["body"]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return f"not an HTTP request: {type(exc).__name__}: {exc}"


def response_value(answer: HttpAnswer) -> dict[str, Any]:
    """`answer` as the response type's JSON, headers lower-case, the body whole."""
    return {
        "resp": {
            "head": {
                "status": answer.status,
                "headers": {k.lower(): v for k, v in answer.headers.items()},
                "version": HTTP_VERSION,
            },
            "body": list(answer.body),
        }
    }


def answer(status: int, body: bytes, headers: Mapping[str, str]) -> HttpAnswer:
    return HttpAnswer(status, {k.lower(): v for k, v in headers.items()}, body)
