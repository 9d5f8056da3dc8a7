"""The capture of Extism's own error log, which names the cause of a trap."""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict, deque
from typing import Any

import extism  # type: ignore[import-untyped]

__all__ = ["LOG_TAP", "ExtismLogTap", "capture_extism_log"]

_PLUGIN_ID = re.compile(r'plugin="([0-9a-fA-F-]{36})"\s*$')


class ExtismLogTap:
    """Captures Extism's error log, for the detail of a trap (which instruction, what fault).

    Only the runtime writes there: a plugin's `log_*` imports are served by the host (see
    `host`), so nothing a plugin logs reaches this capture, and no error's class depends on it.
    Extism's log sink is process-global and can be set once: the first plugin opened installs
    this tap (unless `QMT_EXTISM_LOG=off` or the application installed its own sink first by
    calling `extism.set_log_custom`/`set_log_file`). Records are filed by the plugin instance they
    name, and bounded: the last `MAX_RECORDS` per instance, each cut to `MAX_RECORD_CHARS`.
    """

    MAX_PENDING_IDS = 256
    MAX_RECORDS = 4
    MAX_RECORD_CHARS = 4096

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._logger: Any = None
        self._pending: OrderedDict[str, deque[str]] = OrderedDict()
        self.enabled = False

    def install(self) -> bool:
        with self._lock:
            if self._logger is not None:
                return True
            if os.environ.get("QMT_EXTISM_LOG", "").lower() in ("off", "0", "false", "no"):
                return False
            # Each error record would otherwise capture a Rust backtrace (~45 ms) when
            # RUST_BACKTRACE is set; only library backtraces are turned off, panics keep theirs.
            os.environ.setdefault("RUST_LIB_BACKTRACE", "0")
            self._logger = extism.set_log_custom(self._record, "error")
            self.enabled = True
            return True

    def _record(self, text: str) -> None:
        match = _PLUGIN_ID.search(text)
        key = match.group(1).lower() if match else ""
        text = text.split("\nStack backtrace:", 1)[0][: self.MAX_RECORD_CHARS]
        lines = self._pending.get(key)
        if lines is None:
            lines = self._pending[key] = deque(maxlen=self.MAX_RECORDS)
            while len(self._pending) > self.MAX_PENDING_IDS:
                self._pending.popitem(last=False)
        lines.append(text)

    def take(self, plugin_id: str) -> list[str]:
        """Drains Extism's buffer and returns the last records about one instance."""
        with self._lock:
            if self._logger is None:
                return []
            self._logger.drain()
            self._pending.pop("", None)
            return list(self._pending.pop(plugin_id.lower(), ()))


LOG_TAP = ExtismLogTap()


def capture_extism_log() -> bool:
    """Installs the log capture now (it is installed on first open anyway); True if active."""
    return LOG_TAP.install()
