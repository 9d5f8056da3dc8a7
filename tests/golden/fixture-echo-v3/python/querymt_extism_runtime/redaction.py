"""Secrets in a configuration, and their redaction from every text the host shows.

A value is a secret when its key is named like one (`api_key`, `accessToken`, `client-secret`,
...); `Redactor` replaces each secret in any text, in every encoding it may travel in (raw,
JSON-escaped, URL-encoded, base64).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["SECRET_WORDS", "Redactor", "is_secret_key", "secret_forms", "secret_values"]

SECRET_WORDS = frozenset(
    (
        "key",
        "apikey",
        "token",
        "secret",
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "credential",
        "creds",
        "auth",
        "authorization",
        "bearer",
        "pat",
        "cookie",
        "jwt",
        "private",
        "privatekey",
        "signature",
        "otp",
        "pin",
    )
)
"""Words that make a config key's value a secret: `api_key`, `accessToken`, `client-secret`,
`github_pat`, `ssh_passphrase`, `private_key_pem`, ... (plurals count too)."""

_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_MIN_SECRET_LENGTH = 3


def is_secret_key(key: str) -> bool:
    """Whether a configuration key names a secret (by its words, in any case style)."""
    words = [w.lower() for w in _WORDS.findall(key)]
    if any(w in SECRET_WORDS or (w.endswith("s") and w[:-1] in SECRET_WORDS) for w in words):
        return True
    return key.lower().endswith(("key", "token", "secret", "password", "keys", "tokens"))


def secret_values(config: Any) -> tuple[str, ...]:
    """String values under secret-looking keys, anywhere in a JSON configuration."""
    found: set[str] = set()

    def strings(value: Any) -> Iterable[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from strings(item)

    stack = [config]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and is_secret_key(key):
                    found.update(s for s in strings(item) if len(s) >= _MIN_SECRET_LENGTH)
                else:
                    stack.append(item)
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return tuple(sorted(found, key=len, reverse=True))


_MIN_BASE64_CORE = 6


def _base64_cores(raw: bytes) -> set[str]:
    """Base64 text that encodes `raw` at each of the three alignments it may have inside a
    longer encoded value (`Authorization: Basic base64(user:secret)`): the characters that
    depend on `raw` alone."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        head = 4 if shift else 0
        tail = len(encoded) - (4 if (shift + len(raw)) % 3 else 0)
        core = encoded[head:tail]
        if len(core) >= _MIN_BASE64_CORE:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))  # the URL-safe alphabet
    return cores


@lru_cache(maxsize=1024)
def secret_forms(secret: str) -> frozenset[str]:
    """The texts a secret may travel as: raw, JSON-escaped, URL-encoded (also twice or mixed),
    and base64 (alone or inside a longer encoded value)."""
    encoders: tuple[Callable[[str], str], ...] = (
        lambda s: json.dumps(s)[1:-1],
        lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
        lambda s: quote(s, safe=""),
        lambda s: quote_plus(s, safe=""),
    )
    forms = {secret}
    for _ in range(2):
        forms |= {encode(form) for form in forms for encode in encoders}
    try:
        raw = secret.encode()
    except UnicodeEncodeError:
        raw = secret.encode("utf-8", "surrogatepass")
    forms |= _base64_cores(raw)
    return frozenset(form for form in forms if len(form) >= _MIN_SECRET_LENGTH)


class Redactor:
    """Replaces every secret value in a text by `***`, in each encoding it may travel in."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(sorted(set(secrets), key=len, reverse=True))
        forms = sorted({f for s in self.secrets for f in secret_forms(s)}, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE) if forms else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub("***", text)
