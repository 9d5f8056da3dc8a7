"""Keeps tests that drive Extism directly from leaving records in the bindings' log capture.

Extism's log sink is process-global. Once the generated bindings have installed theirs, every
failed call of any plugin in the process is filed there under that plugin's id; a test that
uses `extism.Plugin` itself (not the bindings) takes its records back when it is done, so the
capture's own tests see only what the bindings left.
"""

from __future__ import annotations

import sys
from typing import Any


def release(plugin: Any) -> None:
    """Drops what any loaded log capture (a module's `LOG_TAP`) holds about `plugin`."""
    for module in list(sys.modules.values()):
        tap = getattr(module, "LOG_TAP", None)
        if tap is not None and callable(getattr(tap, "take", None)):
            tap.take(str(plugin.id))
