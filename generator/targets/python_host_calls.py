"""The user-facing calls of a spec whose host has the `adapter` mode, from its protocols.

Each protocol the runtime's adapter host runs (`ADAPTER_PROTOCOLS`) becomes a method named
after it that calls `querymt_extism_runtime.adapter_<protocol>`, plus an async twin
(`a<protocol>`). Its arguments are those of the protocol's request export (the last export
before the host's own send step), widened so plain dicts are accepted for models; its result
is the output of the protocol's last parse export, or a stream for a protocol with a repeated
step. Exports that do their own HTTP (`does_http`) get an async twin that runs them in a
worker thread.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from generator import ir
from generator.ir import calls
from generator.targets.base import UnsupportedByTarget

if TYPE_CHECKING:
    from generator.targets.python import Method, Param

ADAPTER_MODE = "adapter"
ADAPTER_PROTOCOLS = ("list_models", "chat", "chat_stream", "embed", "complete")
"""The protocols the runtime runs in adapter mode, as `adapter_<name>`/`aadapter_<name>`."""
_CHAT = "chat"
"""The protocol whose answer a stream collects into."""


@dataclass(frozen=True)
class HostCall:
    name: str
    params: tuple[Param, ...]
    output_type: str
    call: str  # the Python expression computing the result
    is_async: bool
    doc: str


def _send_step(protocol: ir.Protocol) -> int:
    for index, step in enumerate(protocol.steps):
        if step.export is None and step.host_function is None and index > 0:
            return index
    raise UnsupportedByTarget(f"protocol {protocol.name!r} has no host step between its exports")


def _widen(annotation: str, models: frozenset[str]) -> str:
    """`list[Model]` -> `Sequence[Model | Mapping[str, Any]]`, `Model` -> `Model | Mapping...`."""

    def item(name: str) -> str:
        return f"{name} | Mapping[str, Any]" if name in models else name

    listed = re.fullmatch(r"list\[(\w+)\]( \| None)?", annotation)
    if listed:
        return f"Sequence[{item(listed.group(1))}]{listed.group(2) or ''}"
    bare = re.fullmatch(r"(\w+)( \| None)?", annotation)
    if bare:
        return f"{item(bare.group(1))}{bare.group(2) or ''}"
    return annotation


def _protocol_call(
    spec: ir.Spec, protocol: ir.Protocol, by_export: dict[str, Method], answers: dict[str, str]
) -> list[HostCall]:
    models = frozenset(t.name for t in spec.types if isinstance(t, ir.Struct | ir.EnumType))
    send = _send_step(protocol)
    requests = [s.export for s in protocol.steps[:send] if s.export is not None]
    parses = [
        s.export
        for s in protocol.steps[send + 1 :]
        if s.export is not None and s.calls is not ir.StepCalls.ALWAYS
    ]
    if not requests or not parses:
        raise UnsupportedByTarget(f"protocol {protocol.name!r} lacks a request or parse export")
    request = by_export[requests[-1]]
    # A request with the configuration in one field takes the caller's arguments beside it;
    # any other request input is the configuration alone, which the host fills.
    given = request.params if request.kind is calls.InputShape.REQUEST else ()
    params = tuple(replace(p, annotation=_widen(p.annotation, models)) for p in given)
    streaming = any(s.calls is ir.StepCalls.REPEATED for s in protocol.steps)
    if streaming:
        chunk = _chunk_type(spec, by_export[parses[-1]])
        answer = answers.get(_CHAT, "Any")
        output, aoutput = (
            f"ChatStream[{chunk}, {answer}]",
            f"AsyncChatStream[{chunk}, {answer}]",
        )
    else:
        output = aoutput = by_export[parses[-1]].output_type
    args = "".join(f", {p.name}" for p in params)
    doc = protocol.description.strip().replace("\\", "\\\\") + (
        f" The host runs it: see `querymt_extism_runtime.adapter_{protocol.name}` (errors,"
        " deadlines)."
    )
    return [
        HostCall(protocol.name, params, output, f"adapter_{protocol.name}(self{args})", False, doc),
        HostCall(
            f"a{protocol.name}",
            params,
            aoutput,
            (
                f"aadapter_{protocol.name}(self{args})"
                if streaming
                else f"await aadapter_{protocol.name}(self{args})"
            ),
            not streaming,
            f"`{protocol.name}` for asyncio. {doc}",
        ),
    ]


def _chunk_type(spec: ir.Spec, parse: Method) -> str:
    """The event type of a stream: the `chunk` field of the parse output's items."""
    listed = re.fullmatch(r"list\[(\w+)\]", parse.output_type)
    item = spec.type(listed.group(1)) if listed else None
    if isinstance(item, ir.Struct):
        for field in item.fields:
            if field.name == "chunk" and isinstance(field.type, ir.Named):
                return field.type.name
    raise UnsupportedByTarget(f"{parse.export.name}: its output has no `chunk` items")


def host_calls(spec: ir.Spec, methods: list[Method]) -> list[HostCall]:
    """The adapter calls and async twins of `spec`, none without an `adapter` host mode."""
    if not any(mode.name == ADAPTER_MODE for mode in spec.host.modes):
        return []
    by_export = {m.export.name: m for m in methods}
    served = [p for p in spec.protocols if p.name in ADAPTER_PROTOCOLS]
    answers = {
        p.name: by_export[[s.export for s in p.steps if s.export is not None][-1]].output_type
        for p in served
    }
    out: list[HostCall] = []
    for protocol in served:
        out.extend(_protocol_call(spec, protocol, by_export, answers))
    for m in methods:
        if m.export.does_http:
            args = "".join(f", {p.name}" for p in m.params)
            out.append(
                HostCall(
                    f"a{m.name}",
                    m.params,
                    m.output_type,
                    f"await asyncio.to_thread(self.{m.name}{args})",
                    True,
                    f"`{m.name}` for asyncio, run in a worker thread.",
                )
            )
    taken = {m.name for m in methods}
    for call in out:
        if call.name in taken:
            raise UnsupportedByTarget(
                f"the adapter call {call.name!r} clashes with the method of an export"
            )
        taken.add(call.name)
    return out


def usage_example(spec: ir.Spec, host: list[HostCall]) -> str | None:
    """The first host call's first argument from its item type's first example (the package
    docstring's messages)."""
    for call in host:
        if call.is_async or not call.params:
            continue
        listed = re.fullmatch(
            r"Sequence\[(\w+) \| Mapping\[str, Any\]\]", call.params[0].annotation
        )
        model = spec.type(listed.group(1)) if listed else None
        if isinstance(model, ir.Struct) and model.examples:
            return f"[{json.dumps(model.examples[0])}]"
    return None
