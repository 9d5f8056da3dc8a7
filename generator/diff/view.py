"""One spec as one dialect speaks it: what the comparer walks.

A spec with dialects describes its newest one; an older dialect lacks the exports and fields
introduced later (`since`) and takes an export's per-dialect overrides. Types need no
filtering: the comparer reaches them through exports and fields, so a type only a later
field uses is simply never reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.ir import (
    Encoding,
    ErrorConvention,
    Export,
    Field,
    HostFunction,
    HostImport,
    Payload,
    Spec,
)


class UnknownDialect(ValueError):
    """A dialect the spec does not declare (or a dialect asked of a spec without any)."""


@dataclass(frozen=True)
class ExportView:
    name: str
    optional: bool
    input: Payload
    output: Payload
    errors: tuple[ErrorConvention, ...]


@dataclass(frozen=True)
class HostFunctionView:
    """A function the host provides: v1's `imports` and later `host_functions` alike."""

    key: str
    params: tuple[str, ...]
    results: tuple[str, ...]
    imported: bool
    input: Payload | None
    output: Payload | None


@dataclass(frozen=True)
class SpecView:
    spec: Spec
    dialect: str | None

    @property
    def label(self) -> str:
        return f"{self.spec.slug} ({self.dialect})" if self.dialect else self.spec.slug

    def _includes(self, since: str | None) -> bool:
        if since is None or self.dialect is None:
            return True
        order = [d.name for d in self.spec.dialects]
        return order.index(since) <= order.index(self.dialect)

    def fields(self, fields: tuple[Field, ...]) -> tuple[Field, ...]:
        return tuple(f for f in fields if self._includes(f.since_dialect))

    def exports(self) -> dict[str, ExportView]:
        return {
            e.name: self._export(e) for e in self.spec.exports if self._includes(e.since_dialect)
        }

    def _export(self, export: Export) -> ExportView:
        errors = self.spec.export_errors(export)
        view = ExportView(export.name, export.optional, export.input, export.output, errors)
        for override in export.dialects:
            if override.dialect == self.dialect:
                view = ExportView(
                    export.name,
                    export.optional,
                    override.input or export.input,
                    override.output or export.output,
                    override.errors if override.errors is not None else errors,
                )
        return view

    def host_functions(self) -> dict[str, HostFunctionView]:
        found = {_key(i.module, i.name): _import_view(i) for i in self.spec.imports}
        for f in self.spec.host_functions:
            found[_key(f.module, f.name)] = _function_view(f)
        return found

    def load_calls(self) -> tuple[str, ...]:
        return tuple(s.export for s in self.spec.host.load_sequence if s.export is not None)


def _key(module: str, name: str) -> str:
    return f"{module}::{name}"


def _import_view(i: HostImport) -> HostFunctionView:
    return HostFunctionView(_key(i.module, i.name), i.params, i.results, True, None, None)


def _function_view(f: HostFunction) -> HostFunctionView:
    return HostFunctionView(
        _key(f.module, f.name), f.params, f.results, f.imported, f.input, f.output
    )


def view(spec: Spec, dialect: str | None = None) -> SpecView:
    """`spec` as `dialect` speaks it; without one, as the file describes it (its newest)."""
    names = [d.name for d in spec.dialects]
    if dialect is None:
        return SpecView(spec, names[-1] if names else None)
    if dialect not in names:
        known = f"its dialects are {', '.join(names)}" if names else "it declares no dialects"
        raise UnknownDialect(f"{spec.source}: no dialect '{dialect}'; {known}")
    return SpecView(spec, dialect)


NO_BYTES = frozenset({Encoding.IGNORED, Encoding.EMPTY})
"""Encodings under which a side carries nothing a reader looks at."""
