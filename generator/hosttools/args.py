"""What the plugin-facing commands (`inspect`, `call`, `verify`) share on the command line: the
usage error and reading JSON arguments given inline or as a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class UsageError(Exception):
    """The invocation is wrong (a file is missing, a value is malformed): exit 2."""


def read_json_arg(value: str, what: str) -> Any:
    """JSON from a file, or inline when the value starts with `{`, `[` or `"`."""
    text = value
    if not value.lstrip().startswith(("{", "[", '"')):
        try:
            text = Path(value).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {what} file {value}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(
                f"{what} file {value} is not UTF-8 (byte {exc.start}: {exc.reason})"
            ) from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{what} is not JSON: {exc}") from None
