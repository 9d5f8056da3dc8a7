"""The Python target's adapter-mode calls come from the spec's host modes and protocols."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from generator import ir
from generator.loader import load_spec
from generator.targets import python
from generator.targets.base import UnsupportedByTarget
from generator.targets.python_host_calls import host_calls

ROOT = Path(__file__).resolve().parents[1]
V1 = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml")
V2 = load_spec(ROOT / "spec" / "querymt-extism-v2.yaml")


def names(spec: ir.Spec) -> list[str]:
    return [c.name for c in host_calls(spec, python.methods(spec))]


def test_v2_gets_each_protocol_and_its_async_twin() -> None:
    assert names(V2) == [
        "chat",
        "achat",
        "chat_stream",
        "achat_stream",
        "list_models",
        "alist_models",
        "embed",
        "aembed",
        "complete",
        "acomplete",
        "atranscribe",
        "aspeech",
    ]
    calls = {c.name: c for c in host_calls(V2, python.methods(V2))}
    assert calls["chat"].output_type == "ExtismChatResponse"
    assert calls["chat_stream"].output_type == "ChatStream[StreamChunk, ExtismChatResponse]"
    assert [p.annotation for p in calls["chat"].params] == [
        "Sequence[ChatMessage | Mapping[str, Any]]",
        "Sequence[Tool | Mapping[str, Any]] | None",
    ]
    assert calls["list_models"].params == () and calls["achat"].is_async
    assert not calls["achat_stream"].is_async  # it returns the stream; the turn starts on use


def test_no_adapter_mode_no_calls() -> None:
    assert names(V1) == []
    other = replace(V2.host, modes=tuple(replace(m, name="other") for m in V2.host.modes))
    assert names(replace(V2, host=other)) == []


def test_the_calls_follow_the_protocols() -> None:
    fewer = replace(V2, protocols=tuple(p for p in V2.protocols if p.name != "embed"))
    assert "embed" not in names(fewer) and "aembed" not in names(fewer)
    assert "chat_stream" in names(fewer)


def test_a_protocol_without_a_host_step_is_refused() -> None:
    broken = tuple(
        (
            replace(p, steps=tuple(s for s in p.steps if s.export is not None))
            if p.name == "chat"
            else p
        )
        for p in V2.protocols
    )
    with pytest.raises(UnsupportedByTarget, match="chat"):
        names(replace(V2, protocols=broken))
