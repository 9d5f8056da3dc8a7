"""The recorded provider responses `verify` answers a plugin's requests with.

A plugin's parse exports expect its provider's format, so the round trips replay recordings: a
directory with one file per protocol of the spec, named after it (`chat.json`,
`chat_stream.sse`, `list_models.json`, `embed.json`, `complete.json`: any extension; `.json`
is sent as `application/json`, `.sse` as `text/event-stream`), `error.json` (the body of a
non-2xx answer, used for the typed-error checks) and optionally `expected.json`
(`{"<protocol>": {"text": "..."}}`: the text a stream's text chunks must add up to).

The built-in set (`recordings/openai/`) is an OpenAI-compatible provider's; `--responses DIR`
names another. A protocol the directory has no file for skips the checks that need it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.hosttools.args import UsageError

BUILTIN_DIR = Path(__file__).resolve().parent / "recordings" / "openai"
ERROR_KEY = "error"
EXPECTED_FILE = "expected.json"
MAX_RECORDING_BYTES = 1 << 20
_CONTENT_TYPES = {".json": "application/json", ".sse": "text/event-stream"}


@dataclass(frozen=True)
class Recording:
    name: str
    body: bytes
    content_type: str


@dataclass(frozen=True)
class Responses:
    source: str
    """`built-in (OpenAI-compatible)` or the directory given."""
    recordings: dict[str, Recording]
    expected: dict[str, dict[str, Any]]

    def get(self, key: str) -> Recording | None:
        return self.recordings.get(key)

    def expected_text(self, protocol: str) -> str | None:
        text = self.expected.get(protocol, {}).get("text")
        return text if isinstance(text, str) else None


def load_responses(directory: Path | None) -> Responses:
    """The recordings in `directory` (default: the built-in set); UsageError if unreadable."""
    root = BUILTIN_DIR if directory is None else directory
    source = "built-in (OpenAI-compatible)" if directory is None else str(directory)
    if not root.is_dir():
        raise UsageError(f"--responses: {root} is not a directory")
    recordings: dict[str, Recording] = {}
    expected: dict[str, dict[str, Any]] = {}
    for path in sorted(root.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            if path.stat().st_size > MAX_RECORDING_BYTES:
                raise UsageError(f"--responses: {path} is larger than {MAX_RECORDING_BYTES} bytes")
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"--responses: cannot read {path}: {exc.strerror}") from None
        if path.name == EXPECTED_FILE:
            expected = _expected(path, data)
            continue
        if path.stem in recordings:
            raise UsageError(f"--responses: two recordings of {path.stem!r} in {root}")
        content_type = _CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        recordings[path.stem] = Recording(path.stem, data, content_type)
    return Responses(source, recordings, expected)


def _expected(path: Path, data: bytes) -> dict[str, dict[str, Any]]:
    try:
        value = json.loads(data)
    except ValueError as exc:
        raise UsageError(f"--responses: {path} is not JSON: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise UsageError(f"--responses: {path} must map protocol names to objects")
    return value
