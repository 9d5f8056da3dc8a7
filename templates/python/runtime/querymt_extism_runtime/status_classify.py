"""A host's own classification of a non-2xx response, as the spec's data (`classifiers`).

QueryMT's host classifies an HTTP failure itself when the plugin has no classifier of its own
(`classify_chat_error`, absent in the 0.5.2 dialect): the first rule whose statuses match gives
the payload, and the fields the rule's payload type has among the spec's `fills` are computed
from the response: `message` (the body's `error.message`, else the trimmed body, else
`HTTP <status>`), `retry_after_secs` (the headers, then the body: see `retry_after`) and
`status_code`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jiter

from .retry_after import retry_after_from_body, retry_after_from_headers

__all__ = ["StatusClassifier", "StatusRule"]


@dataclass(frozen=True)
class StatusRule:
    """Statuses (inclusive ranges; none: any) -> a payload, and which fields to fill in it."""

    statuses: tuple[tuple[int, int], ...]
    result: Mapping[str, Any]
    fills: tuple[str, ...] = ()

    def matches(self, status: int) -> bool:
        return not self.statuses or any(low <= status <= high for low, high in self.statuses)


def _body_json(body: bytes) -> Any:
    try:
        return jiter.from_json(body)
    except ValueError:
        return None


def _message(status: int, body: bytes, document: Any) -> str:
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        message = document["error"].get("message")
        if isinstance(message, str) and message.strip():
            return message.strip()
    return body.decode("utf-8", "replace").strip() or f"HTTP {status}"


def _retry_after(headers: Mapping[str, Sequence[str]], document: Any) -> int | None:
    from_headers = retry_after_from_headers(headers)
    return from_headers if from_headers is not None else retry_after_from_body(document)


@dataclass(frozen=True)
class StatusClassifier:
    """One of the spec's `classifiers`: the first matching rule wins."""

    name: str
    rules: tuple[StatusRule, ...]

    def classify(
        self, status: int, headers: Mapping[str, Sequence[str]], body: bytes
    ) -> dict[str, Any]:
        """The `LLMErrorPayload` of a response (headers: lowercase name -> values)."""
        rule = next(r for r in self.rules if r.matches(status))
        payload = dict(rule.result)
        document = _body_json(body) if rule.fills else None
        for name in rule.fills:
            if name == "message":
                payload[name] = _message(status, body, document)
            elif name == "retry_after_secs":
                payload[name] = _retry_after(headers, document)
            elif name == "status_code":
                payload[name] = status
        return payload
