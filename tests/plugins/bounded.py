"""Running test code that might hang: a hang fails the test instead of stalling the suite."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

GUARD_S = 60
"""Far above any bound a test asserts: only a real hang reaches it."""


def returns(work: Callable[[], Any]) -> Any:
    """Runs `work` in a thread and returns its value (or raises its exception); fails the test
    if it has not returned after `GUARD_S` seconds."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed back to the test
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(GUARD_S)
    assert not worker.is_alive(), "did not return within the guard: unbounded"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
