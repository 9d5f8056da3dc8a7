"""Each export's part in the spec's host-driven HTTP exchanges, read from its `protocols`.

An ABI whose host does the HTTP (QueryMT v2's adapter mode) splits a call into exports around a
host step: one builds the request the host sends, the others take the response. Which export
plays which part follows from the protocol steps and the types alone, never from export names:

- the request type is the input of a host function whose output is a struct (the response type);
- an export step whose output is the request type, followed by a host step (no export, no host
  function), builds the request (`Role.BUILDS_REQUEST`);
- after the host step, an export whose input struct has a field of the response type takes the
  response: it answers a typed error (`ir.calls` `answers_errors`) or parses it;
- a `repeated` export step after the host step feeds a stream parser: the export step before
  it starts the parser, an `optional` one after it finishes it, an `always` one closes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from generator.ir import calls
from generator.ir.model import Field, Named, Primitive, Spec, StepCalls, Struct, TypeRef


class Role(StrEnum):
    BUILDS_REQUEST = "builds-request"
    PARSES_RESPONSE = "parses-response"
    CLASSIFIES_ERROR = "classifies-error"
    STARTS_PARSER = "starts-parser"
    FEEDS_PARSER = "feeds-parser"
    FINISHES_PARSER = "finishes-parser"
    CLOSES_PARSER = "closes-parser"


@dataclass(frozen=True)
class Part:
    """One export's part in one protocol."""

    protocol: str
    role: Role
    response_field: Field | None = None
    """For PARSES_RESPONSE, CLASSIFIES_ERROR: the input field that carries the response."""
    id_field: Field | None = None
    line_field: Field | None = None
    """For FEEDS_PARSER: the fields of the parser id (an integer) and of the line (bytes)."""


@dataclass(frozen=True)
class HttpTypes:
    request: Named
    response: Named


def http_types(spec: Spec) -> HttpTypes | None:
    """The request and response types of the spec's host HTTP, if it has a host function that
    takes a named type and answers a named struct."""
    for function in spec.host_functions:
        sent, answered = function.input.type, function.output.type
        if not isinstance(sent, Named) or not isinstance(answered, Named):
            continue
        if isinstance(spec.type(answered.name), Struct):
            return HttpTypes(sent, answered)
    return None


def _field_of_type(spec: Spec, ref: TypeRef | None, wanted: Named) -> Field | None:
    if not isinstance(ref, Named):
        return None
    struct = spec.type(ref.name)
    if not isinstance(struct, Struct):
        return None
    return next((f for f in struct.fields if f.type == wanted), None)


def _feed_fields(spec: Spec, ref: TypeRef | None) -> tuple[Field | None, Field | None]:
    if not isinstance(ref, Named):
        return None, None
    struct = spec.type(ref.name)
    if not isinstance(struct, Struct):
        return None, None
    ids = [f for f in struct.fields if isinstance(f.type, Primitive) and f.type.name[0] in "iu"]
    lines = [f for f in struct.fields if f.type == Primitive("bytes")]
    return (ids[0] if len(ids) == 1 else None), (lines[0] if len(lines) == 1 else None)


_CACHE: dict[int, tuple[Spec, dict[str, tuple[Part, ...]]]] = {}


def parts(spec: Spec) -> dict[str, tuple[Part, ...]]:
    """Each export's parts, by export name (exports in no exchange are absent)."""
    cached = _CACHE.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = (spec, _parts(spec))
        _CACHE[id(spec)] = cached
    return cached[1]


def _parts(spec: Spec) -> dict[str, tuple[Part, ...]]:
    types = http_types(spec)
    found: dict[str, list[Part]] = {}
    if types is None:
        return {}
    exports = {e.name: e for e in spec.exports}
    for protocol in spec.protocols:
        steps = protocol.steps
        host = next(
            (i for i, s in enumerate(steps) if s.export is None and s.host_function is None), None
        )
        if host is None or host == 0:
            continue
        builder = exports.get(steps[host - 1].export or "")
        if builder is None or builder.output.type != types.request:
            continue
        own: list[tuple[str, Part]] = [(builder.name, Part(protocol.name, Role.BUILDS_REQUEST))]
        after = steps[host + 1 :]
        repeated = next((i for i, s in enumerate(after) if s.calls is StepCalls.REPEATED), None)
        for index, step in enumerate(after):
            export = exports.get(step.export or "")
            if export is None:
                continue
            response = _field_of_type(spec, export.input.type, types.response)
            if response is not None:
                answers = calls.call_of(spec, export).answers_errors
                role = Role.CLASSIFIES_ERROR if answers else Role.PARSES_RESPONSE
                own.append((export.name, Part(protocol.name, role, response_field=response)))
            elif repeated is not None and index == repeated:
                ids, line = _feed_fields(spec, export.input.type)
                part = Part(protocol.name, Role.FEEDS_PARSER, id_field=ids, line_field=line)
                own.append((export.name, part))
            elif repeated is not None and index == repeated - 1:
                own.append((export.name, Part(protocol.name, Role.STARTS_PARSER)))
            elif repeated is not None and index > repeated:
                if export.name == after[repeated].export:
                    continue  # the end-of-body call of the same export
                role = (
                    Role.CLOSES_PARSER if step.calls is StepCalls.ALWAYS else Role.FINISHES_PARSER
                )
                own.append((export.name, Part(protocol.name, role)))
        for name, part in own:
            found.setdefault(name, []).append(part)
    return {name: tuple(found_parts) for name, found_parts in found.items()}


def part_of(spec: Spec, export: str, role: Role) -> Part | None:
    """The export's first part with this role."""
    return next((p for p in parts(spec).get(export, ()) if p.role is role), None)


def exporter_of(spec: Spec, protocol: str, role: Role) -> str | None:
    """The export that plays `role` in `protocol`."""
    for name, export_parts in parts(spec).items():
        if any(p.protocol == protocol and p.role is role for p in export_parts):
            return name
    return None
