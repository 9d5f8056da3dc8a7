"""How many repetitions each section makes: the full run, or `--quick` for the smoke test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    generation_rounds: int
    first_open_rounds: int
    cached_open_rounds: int
    call_batches: int
    calls_per_batch_small: int
    calls_per_batch_large: int
    thread_rounds: int
    thread_calls: int
    """Calls per round, split evenly between the threads."""
    thread_deadline_s: float
    """A round that would start after this many seconds of the section is not started."""
    v2_chat_calls: int
    """Typed or raw v2 chat turns per batch."""
    v2_stream_rounds: int
    """Whole 2,000-chunk streams per batch."""


FULL = Budget(
    generation_rounds=5,
    first_open_rounds=7,
    cached_open_rounds=40,
    call_batches=11,
    calls_per_batch_small=1500,
    calls_per_batch_large=80,
    thread_rounds=7,
    thread_calls=300,
    thread_deadline_s=40.0,
    v2_chat_calls=200,
    v2_stream_rounds=2,
)

QUICK = Budget(
    generation_rounds=1,
    first_open_rounds=1,
    cached_open_rounds=2,
    call_batches=2,
    calls_per_batch_small=20,
    calls_per_batch_large=4,
    thread_rounds=1,
    thread_calls=8,
    thread_deadline_s=5.0,
    v2_chat_calls=4,
    v2_stream_rounds=1,
)
