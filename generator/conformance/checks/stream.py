"""`stream`, `stream-ids`, `stream-refusal`: a stream parser's lifecycle, driven the way QueryMT
feeds it (`ir.exchange`: the export that starts a parser, the repeated one that feeds it a line,
the ones that finish and close it).

The body is the response the stream request got (else the protocol's recording, else a single
blank line), framed on `\\n` alone: one parse call per line including its `\\n`, then the tail
plus `\\n` (or one extra `\\n`), then finish and close.

- `stream`: every answer validates; a `done` chunk comes before the end; the text chunks of a
  recorded body add up to the recording's expected text (when it names one).
- `stream-ids`: two parsers started together get distinct ids, and a parser started after one
  was closed does not get a used id again.
- `stream-refusal`: a closed id and an unknown id are refused with the input convention's free
  text (return code -1), not answered, not a typed error, not a trap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from generator import ir
from generator.conformance.context import CheckContext, Outcome
from generator.conformance.inputs import json_text
from generator.conformance.report import Status, plural, short
from generator.hosttools.bindings import FailureKind
from generator.ir import calls, exchange
from generator.ir import schema as ir_schema

END_VARIANT = "done"
TEXT_VARIANT = "text"
"""Wire names of the stream chunk variants that end an answer and carry text (checked to exist
in the spec before they are looked for)."""
UNKNOWN_ID = 987_654_321
FIXED_CALLS = 9
"""start x2, finish, close, parse after close, parse of an unknown id, start, close x2; plus
one parse per line."""


def frame(body: bytes) -> list[bytes]:
    """The lines QueryMT's host feeds a parser: each `\\n`-terminated line, then the tail + `\\n`
    (a body ending in `\\n` gives one extra `\\n`)."""
    lines: list[bytes] = []
    start = 0
    for index, byte in enumerate(body):
        if byte == 0x0A:
            lines.append(body[start : index + 1])
            start = index + 1
    lines.append(body[start:] + b"\n")
    return lines


@dataclass
class _Exports:
    start: ir.Export
    feed: ir.Export
    finish: ir.Export | None
    close: ir.Export | None
    part: exchange.Part
    problems: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, row: str, problem: str) -> None:
        self.problems.setdefault(row, []).append(problem)


class StreamCheck:
    name = "stream"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        part = exchange.part_of(spec, call.export.name, exchange.Role.STARTS_PARSER)
        if part is None:
            return False
        feeder = exchange.exporter_of(spec, part.protocol, exchange.Role.FEEDS_PARSER)
        return feeder is not None

    def planned_calls(self, call: calls.Call) -> int:
        return FIXED_CALLS

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        exports = _exports(ctx, call)
        name = call.export.name
        if isinstance(exports, str):
            for _ in range(FIXED_CALLS):
                ctx.skip_call()
            for row in (self.name, "stream-ids", "stream-refusal"):
                ctx.add(row, name, Status.SKIP, exports)
            return
        exchanged = ctx.exchanged(exports.part.protocol)
        body = exchanged.answer.body if exchanged is not None else b""
        source = exchanged.source if exchanged is not None else "a blank line (no recording)"
        lines = frame(body) if body else [b"\n"]
        ctx.expect_calls(len(lines))
        driven = _Run(ctx, exports, lines, exchanged is not None and exchanged.recorded)
        driven.drive()
        summary = driven.summary
        for row in (self.name, "stream-ids", "stream-refusal"):
            problems = exports.problems.get(row)
            if problems:
                more = f" (+{len(problems) - 2} more)" if len(problems) > 2 else ""
                ctx.add(row, name, Status.FAIL, "; ".join(problems[:2]) + more)
            else:
                detail = summary.get(row, "")
                if row == self.name:
                    detail = f"{plural(len(lines), 'line')} of {source}: {detail}"
                ctx.add(row, name, Status.PASS, detail)


def _exports(ctx: CheckContext, call: calls.Call) -> _Exports | str:
    spec = ctx.spec
    part = exchange.part_of(spec, call.export.name, exchange.Role.STARTS_PARSER)
    assert part is not None
    present = {e.name: e for e in ctx.module.present}

    def find(role: exchange.Role) -> ir.Export | None:
        export = exchange.exporter_of(spec, part.protocol, role)
        return present.get(export) if export is not None else None

    feed = find(exchange.Role.FEEDS_PARSER)
    if feed is None:
        return "the module has no export that feeds the parser"
    feed_part = exchange.part_of(spec, feed.name, exchange.Role.FEEDS_PARSER)
    if feed_part is None or feed_part.id_field is None or feed_part.line_field is None:
        return "the spec's feed input has no id and line fields"
    if call.export.name in ctx.timed_out:
        return "the export already timed out"
    finish, close = find(exchange.Role.FINISHES_PARSER), find(exchange.Role.CLOSES_PARSER)
    return _Exports(call.export, feed, finish, close, feed_part)


class _Run:
    def __init__(
        self, ctx: CheckContext, exports: _Exports, lines: list[bytes], recorded: bool
    ) -> None:
        self.recorded = recorded
        self.ctx = ctx
        self.x = exports
        self.lines = lines
        self.chunks: list[Any] = []
        self.summary: dict[str, str] = {}

    # ------------------------------------------------------------------ calls

    def _call(self, export: ir.Export | None, data: bytes, what: str) -> Outcome | None:
        if export is None:
            self.ctx.skip_call()
            return None
        return self.ctx.call(self.ctx.module.main, export.name, data, what)

    def _start(self, row: str) -> int | None:
        outcome = self._call(self.x.start, self.ctx.valid_input(self.x.start), "stream start")
        assert outcome is not None
        if outcome.output is None:
            assert outcome.failure is not None
            self.x.fail(row, f"start: {self.ctx.describe(outcome.failure, self.x.start)}")
            return None
        try:
            value = json.loads(outcome.output.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            value = None
        if not isinstance(value, int) or isinstance(value, bool):
            self.x.fail(
                row,
                f"start answered {short(outcome.output.decode('utf-8', 'replace'), 40)}, not an id",
            )
            return None
        return value

    def _feed_input(self, parser: int, line: bytes) -> bytes:
        part = self.x.part
        assert part.id_field is not None and part.line_field is not None
        return json_text({part.id_field.wire_name: parser, part.line_field.wire_name: list(line)})

    def _chunks(self, export: ir.Export, outcome: Outcome | None, where: str) -> None:
        if outcome is None:
            return
        if outcome.output is None:
            assert outcome.failure is not None
            self.x.fail("stream", f"{where}: {self.ctx.describe(outcome.failure, export)}")
            return
        try:
            value = json.loads(outcome.output.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            self.x.fail("stream", f"{where}: not JSON: {exc}")
            return
        validator = ir_schema.validator_for_payload(self.ctx.spec, export, "output")
        assert validator is not None
        error = next(iter(validator.iter_errors(value)), None)
        if error is not None:
            self.x.fail("stream", f"{where}: {error.message}")
            return
        if isinstance(value, list):
            self.chunks.extend(value)

    def _refused(self, outcome: Outcome | None, what: str) -> None:
        if outcome is None:
            return
        failure = outcome.failure
        if failure is None:
            self.x.fail("stream-refusal", f"{what} was answered")
        elif failure.kind is not FailureKind.CALL_ERROR or not failure.plugin_message:
            self.x.fail("stream-refusal", f"{what}: {self.ctx.describe(failure)}")
        elif _is_json_object(failure.plugin_message):
            self.x.fail("stream-refusal", f"{what}: a typed error (rc 1), expected rc -1 free text")

    # ------------------------------------------------------------------ the run

    def drive(self) -> None:
        x = self.x
        first, second = self._start("stream-ids"), self._start("stream-ids")
        if first is not None and first == second:
            x.fail("stream-ids", f"two parsers started together both got id {first}")
        for number, line in enumerate(self.lines, 1):
            if first is None:
                self.ctx.skip_call()
                continue
            outcome = self._call(x.feed, self._feed_input(first, line), "stream parse")
            self._chunks(x.feed, outcome, f"line {number}")
        if first is None:
            for _ in range(2):
                self.ctx.skip_call()
            x.fail("stream", "no parser was started")
        else:
            finish = self._call(x.finish, json_text(first), "stream finish")
            if x.finish is not None:
                self._chunks(x.finish, finish, "finish")
            closed = self._call(x.close, json_text(first), "stream close")
            if closed is not None and closed.output is None and closed.failure is not None:
                x.fail("stream", f"close: {self.ctx.describe(closed.failure, x.close)}")
        if first is None:
            self.ctx.skip_call()
        else:
            closed_feed = self._call(x.feed, self._feed_input(first, b"\n"), "stream parse")
            self._refused(closed_feed, "a closed id")
        unknown = self._feed_input(UNKNOWN_ID, b"\n")
        self._refused(self._call(x.feed, unknown, "stream parse"), f"the unknown id {UNKNOWN_ID}")
        third = self._start("stream-ids")
        used = {i for i in (first, second) if i is not None}
        if third is not None and third in used:
            x.fail("stream-ids", f"a parser started after close got the used id {third}")
        for parser in (second, third):
            self._call(x.close if parser is not None else None, json_text(parser), "stream close")
        ids = ", ".join(str(i) for i in (first, second, third) if i is not None)
        self.summary["stream-ids"] = f"ids {ids}: distinct, none reused after close"
        self.summary["stream-refusal"] = (
            f"a closed id and the unknown id {UNKNOWN_ID} refused with free text (rc -1)"
        )
        self._judge_chunks()

    def _judge_chunks(self) -> None:
        chunk_field, variants = _chunk_variants(self.ctx.spec, self.x.feed)
        shown = plural(len(self.chunks), "chunk")
        if chunk_field is None or END_VARIANT not in variants:
            self.summary["stream"] = f"{shown}, each valid"
            return
        kinds = [_kind(item, chunk_field) for item in self.chunks]
        if self.lines != [b"\n"] and END_VARIANT not in kinds:
            self.x.fail("stream", f"{shown} and no `{END_VARIANT}` chunk before the end")
            return
        text = "".join(
            str(item[chunk_field][TEXT_VARIANT])
            for item, kind in zip(self.chunks, kinds, strict=True)
            if kind == TEXT_VARIANT and TEXT_VARIANT in variants
        )
        protocol = self.x.part.protocol
        expected = self.ctx.responses.expected_text(protocol) if self.recorded else None
        if expected is not None and text != expected:
            self.x.fail("stream", f"the text chunks say {text!r}, the recording {expected!r}")
            return
        done = kinds.index(END_VARIANT) + 1 if END_VARIANT in kinds else None
        said = f", text {short(json.dumps(text), 60)}" if text else ""
        where = f", `{END_VARIANT}` at chunk {done}" if done else ""
        self.summary["stream"] = f"{shown}, each valid{where}{said}"


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _kind(item: Any, chunk_field: str) -> str | None:
    chunk = item.get(chunk_field) if isinstance(item, dict) else None
    if isinstance(chunk, dict) and len(chunk) == 1:
        return str(next(iter(chunk)))
    return chunk if isinstance(chunk, str) else None


def _chunk_variants(spec: ir.Spec, feed: ir.Export) -> tuple[str | None, frozenset[str]]:
    """The field of the feed output's items that holds the chunk enum, and its variants."""
    output = feed.output.type
    if not isinstance(output, ir.ListOf) or not isinstance(output.item, ir.Named):
        return None, frozenset()
    item = spec.type(output.item.name)
    if not isinstance(item, ir.Struct):
        return None, frozenset()
    for candidate in item.fields:
        if isinstance(candidate.type, ir.Named):
            enum = spec.type(candidate.type.name)
            if isinstance(enum, ir.EnumType):
                names = frozenset(v.wire_name for v in enum.variants)
                if END_VARIANT in names:
                    return candidate.wire_name, names
    return None, frozenset()
