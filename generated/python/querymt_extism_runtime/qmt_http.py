"""The wire forms of QueryMT's `qmt_http_request` host function (http-serde-ext JSON).

The plugin sends `{"req": {"head": {"method", "uri", "headers", "version"}, "body": [u8...]}}`
and gets `{"resp": {"head": {"status", "headers", "version"}, "body": [u8...]}}`. A header
value is a string or a list of strings; names are lowercase on output. What QueryMT's host
refuses with an error (not JSON, not this shape, a bad method, version or header name) raises
`HttpFailure(HostFunctionError)`, which fails the plugin call; request header values that are
not visible ASCII are dropped, as QueryMT drops them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .errors import HostFunctionError
from .http_policy import HttpFailure

__all__ = ["VERSIONS", "parse_request", "response_document", "wire_response"]

VERSIONS = frozenset({"HTTP/0.9", "HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "HTTP/3.0"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_VISIBLE = re.compile(r"[\t\x20-\x7e]*")
_NAME = "qmt_http_request"


def _refuse(problem: str) -> HttpFailure:
    return HttpFailure(HostFunctionError, f"{_NAME}: {problem}", cause=problem)


def _body(value: Any, what: str) -> bytes:
    if not isinstance(value, list):
        raise _refuse(f"the {what} body is not an array of bytes")
    try:
        return bytes(value)
    except (TypeError, ValueError):
        raise _refuse(f"the {what} body is not an array of bytes (0-255)") from None


def parse_request(raw: bytes) -> tuple[bytes, bytes | None]:
    """The plugin's request as `HttpPolicy.send` takes it: (the request JSON, the body)."""
    try:
        document = json.loads(raw)
    except ValueError:
        raise _refuse("the request is not JSON") from None
    req = document.get("req") if isinstance(document, dict) else None
    head = req.get("head") if isinstance(req, dict) else None
    if not isinstance(req, dict) or not isinstance(head, dict):
        raise _refuse('the request is not {"req": {"head": ..., "body": ...}}')
    method, uri, version = head.get("method"), head.get("uri"), head.get("version", "HTTP/1.1")
    if not isinstance(method, str) or not _TOKEN.fullmatch(method):
        raise _refuse("the method is not an HTTP token")
    if not isinstance(uri, str) or not uri:
        raise _refuse("the request has no URI")
    if version not in VERSIONS:
        raise _refuse(f"the version is not one of {', '.join(sorted(VERSIONS))}")
    headers = head.get("headers", {})
    if not isinstance(headers, dict):
        raise _refuse("`headers` is not an object")
    joined: dict[str, str] = {}
    for name, value in headers.items():
        values = value if isinstance(value, list) else [value]
        if not _TOKEN.fullmatch(name) or not values or not all(isinstance(v, str) for v in values):
            raise _refuse(f"header {name[:40]!r} is not a header name with string values")
        kept = [v for v in values if _VISIBLE.fullmatch(v)]
        if kept:
            joined[name.lower()] = ", ".join(kept)
    body = _body(req.get("body", []), "request")
    request = json.dumps({"method": method, "url": uri, "headers": joined}).encode()
    return request, body or None


def response_document(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """A `SerializableHttpResponse` as a JSON value: HTTP/1.1, header names lowercase, the body
    as bytes (what every `parse_*` export and `qmt_http_request` hand the plugin)."""
    return {
        "resp": {
            "head": {
                "status": status,
                "headers": {name.lower(): value for name, value in headers.items()},
                "version": "HTTP/1.1",
            },
            "body": list(body),
        }
    }


def wire_response(status: int, headers: Mapping[str, str], body: bytes) -> bytes:
    """`response_document` as the JSON `qmt_http_request` returns.

    HttpFailure(HostFunctionError) if a header value is not visible ASCII: QueryMT's host
    cannot serialize such a response either, and fails the call.
    """
    for name, value in headers.items():
        if not _VISIBLE.fullmatch(value):
            raise _refuse(f"the response header {name[:40]!r} is not visible ASCII")
    document = response_document(status, headers, body)
    return json.dumps(document, separators=(",", ":")).encode()
