"""What the plugin-facing commands (`inspect`, `call`, `verify`) share: loading the generated
bindings of a spec and reading JSON arguments given inline or as a file."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from generator import ir
from generator.resources import BINDINGS_DIR
from generator.targets import python as python_target


class UsageError(Exception):
    """The invocation is wrong (a file is missing, a value is malformed): exit 2."""


def load_bindings(spec: ir.Spec) -> ModuleType:
    """The generated Python bindings of `spec` (generated/python/<package>, or the copy an
    installed wheel carries)."""
    package = python_target.package_name(spec)
    root = BINDINGS_DIR
    if not (root / package / "__init__.py").is_file():
        raise UsageError(f"{root / package} is missing; run `qmt-abigen generate` first")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module(package)


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
