"""Walk two spec views side by side and record every change as a rule hit.

Exports, host functions and fields are matched by their wire names; types are followed
structurally from where they are used (an export's input, output or error message, a host
function's argument or result), so a type renamed but used at the same place is compared with
its old self, and each type is compared once per direction. Types that share a name but are no
longer reached from a common place (v1's `chat` became v2's `chat_request`) are compared in a
second pass, in every direction either spec uses them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import assert_never

from generator.diff.model import Change, Direction
from generator.diff.view import NO_BYTES, ExportView, HostFunctionView, SpecView
from generator.ir import (
    INTEGER_RANGES,
    Encoding,
    EnumType,
    ErrorCause,
    ErrorConvention,
    Field,
    ListOf,
    MapOf,
    Named,
    NewtypePayload,
    Payload,
    Primitive,
    Struct,
    StructPayload,
    TuplePayload,
    TypeDef,
    TypeParam,
    TypeRef,
    UnitPayload,
    Variant,
    VariantPayload,
    format_type,
)

Env = Mapping[str, TypeRef]
_FLOATS = ("f32", "f64")


@dataclass
class _Walk:
    old: SpecView
    new: SpecView
    changes: set[Change] = field(default_factory=set)
    _seen: set[tuple[str, str, Direction]] = field(default_factory=set)

    def add(self, rule: str, subject: str, detail: str, via: str = "") -> None:
        self.changes.add(Change(subject, rule, detail, via))

    def dir_rule(self, d: Direction, rule: str, subject: str, detail: str, via: str) -> None:
        self.add(f"{d}-{rule}", subject, detail, via)

    # ------------------------------------------------------------------ exports

    def exports(self) -> None:
        old, new = self.old.exports(), self.new.exports()
        for name in sorted(old.keys() - new.keys()):
            kind = "optional" if old[name].optional else "required"
            self.add(f"export-removed-{kind}", f"export {name}", f"{kind} export removed")
        for name in sorted(new.keys() - old.keys()):
            kind = "optional" if new[name].optional else "required"
            self.add(f"export-added-{kind}", f"export {name}", f"{kind} export added")
        for name in sorted(old.keys() & new.keys()):
            self.export(old[name], new[name])

    def export(self, old: ExportView, new: ExportView) -> None:
        subject = f"export {old.name}"
        if old.optional and not new.optional:
            self.add("export-made-required", subject, "optional -> required")
        elif new.optional and not old.optional:
            self.add("export-made-optional", subject, "required -> optional")
        self.payload(old.input, new.input, Direction.INPUT, subject, f"{old.name} input")
        self.payload(old.output, new.output, Direction.OUTPUT, subject, f"{old.name} output")
        self.errors(old.errors, new.errors, subject, old.name)

    def payload(self, old: Payload, new: Payload, d: Direction, subject: str, via: str) -> None:
        side = "input" if d is Direction.INPUT else "output"
        if old.encoding != new.encoding:
            detail = f"{side} {old.encoding} -> {new.encoding}"
            if old.encoding in NO_BYTES and new.encoding in NO_BYTES:
                return
            if new.encoding in NO_BYTES:
                rule = "export-input-now-ignored" if side == "input" else "export-output-now-unused"
            elif old.encoding in NO_BYTES:
                rule = "export-input-now-read" if side == "input" else "export-output-now-used"
            else:
                rule = f"export-{side}-encoding-changed"
            self.add(rule, subject, detail)
            return
        if old.encoding is not Encoding.JSON or old.type is None or new.type is None:
            return
        self.nullable(old.nullable, new.nullable, d, f"{subject} {side}", via)
        self.ref(old.type, new.type, d, f"{subject} {side}", via, {}, {})

    def errors(
        self,
        old: tuple[ErrorConvention, ...],
        new: tuple[ErrorConvention, ...],
        subject: str,
        export: str,
    ) -> None:
        old_by, new_by = _by_code(old), _by_code(new)
        for code in sorted(old_by.keys() - new_by.keys()):
            self.add(
                "export-error-removed", subject, f"return code {code} ({_shape(old_by[code])})"
            )
        for code in sorted(new_by.keys() - old_by.keys()):
            self.add("export-error-added", subject, f"return code {code} ({_shape(new_by[code])})")
        for code in sorted(old_by.keys() & new_by.keys()):
            o, n = old_by[code], new_by[code]
            if _kind_of_message(o) != _kind_of_message(n):
                detail = f"return code {code}: {_shape(o)} -> {_shape(n)}"
                self.add("export-error-changed", subject, detail)
            elif o.type is not None and n.type is not None:
                where = f"{subject} error {code}"
                self.ref(o.type, n.type, Direction.OUTPUT, where, f"{export} error", {}, {})

    # ------------------------------------------------------------------ host contract

    def host_functions(self) -> None:
        old, new = self.old.host_functions(), self.new.host_functions()
        for key in sorted(old.keys() - new.keys()):
            self.add("host-function-removed", f"host function {key}", "no longer provided")
        for key in sorted(new.keys() - old.keys()):
            imported = new[key].imported
            rule = "host-function-added" if imported else "host-function-added-optional"
            detail = "imported by every plugin" if imported else "plugins may import it"
            self.add(rule, f"host function {key}", detail)
        for key in sorted(old.keys() & new.keys()):
            self.host_function(old[key], new[key])

    def host_function(self, old: HostFunctionView, new: HostFunctionView) -> None:
        subject = f"host function {old.key}"
        if (old.params, old.results) != (new.params, new.results):
            detail = f"({', '.join(old.params)}) -> ({', '.join(old.results)}) became " + (
                f"({', '.join(new.params)}) -> ({', '.join(new.results)})"
            )
            self.add("host-function-signature-changed", subject, detail)
        if new.imported and not old.imported:
            self.add("host-function-made-imported", subject, "now imported by every plugin")
        name = old.key.rsplit("::", 1)[-1]
        # The plugin writes a host function's argument and reads its result.
        for o, n, d, side in (
            (old.input, new.input, Direction.OUTPUT, "argument"),
            (old.output, new.output, Direction.INPUT, "result"),
        ):
            if o is None or n is None:
                continue
            if o.encoding != n.encoding:
                detail = f"{side} {o.encoding} -> {n.encoding}"
                self.add("host-function-encoding-changed", subject, detail)
            elif o.type is not None and n.type is not None:
                self.nullable(o.nullable, n.nullable, d, f"{subject} {side}", f"{name} {side}")
                self.ref(o.type, n.type, d, f"{subject} {side}", f"{name} {side}", {}, {})

    def host(self) -> None:
        old_calls, new_calls = self.old.load_calls(), self.new.load_calls()
        for name in sorted(set(new_calls) - set(old_calls)):
            self.add("load-call-added", "host load sequence", f"calls {name}")
        for name in sorted(set(old_calls) - set(new_calls)):
            self.add("load-call-removed", "host load sequence", f"no longer calls {name}")
        kept_old = [c for c in old_calls if c in new_calls]
        kept_new = [c for c in new_calls if c in old_calls]
        if kept_old != kept_new:
            detail = f"{', '.join(kept_old)} -> {', '.join(kept_new)}"
            self.add("load-order-changed", "host load sequence", detail)
        old_roles, new_roles = self.old.spec.host.roles, self.new.spec.host.roles
        for role in ("display_name", "base_url", "config_schema", "check_config", "log_init"):
            o, n = getattr(old_roles, role), getattr(new_roles, role)
            if o != n:
                self.add(
                    "host-role-changed", f"host role {role}", f"{o or 'none'} -> {n or 'none'}"
                )

    # ------------------------------------------------------------------ values

    def nullable(self, old: bool, new: bool, d: Direction, subject: str, via: str) -> None:
        if new and not old:
            self.dir_rule(d, "null-allowed", subject, "may be null", via)
        elif old and not new:
            self.dir_rule(d, "null-refused", subject, "no longer null", via)

    def ref(
        self, old: TypeRef, new: TypeRef, d: Direction, where: str, via: str, oenv: Env, nenv: Env
    ) -> None:
        old, new = _bound(old, oenv), _bound(new, nenv)
        match old, new:
            case Primitive(o), Primitive(n):
                self.primitive(o, n, d, where, via)
            case ListOf(o), ListOf(n):
                self.ref(o, n, d, f"{where}[]", via, oenv, nenv)
            case MapOf(o), MapOf(n):
                self.ref(o, n, d, f"{where}{{}}", via, oenv, nenv)
            case Named(), Named():
                self.named(old, new, d, via)
            case TypeParam(), TypeParam():
                pass  # any JSON on both sides
            case (TypeParam(), Primitive("json")) | (Primitive("json"), TypeParam()):
                detail = f"{format_type(old)} -> {format_type(new)}"
                self.add("type-param-changed", where, detail, via)
            case _:
                detail = f"{format_type(old)} -> {format_type(new)}"
                self.add("type-kind-changed", where, detail, via)

    def primitive(self, old: str, new: str, d: Direction, where: str, via: str) -> None:
        if old == new:
            return
        detail = f"{old} -> {new}"
        if old in INTEGER_RANGES and new in INTEGER_RANGES:
            (olo, ohi), (nlo, nhi) = INTEGER_RANGES[old], INTEGER_RANGES[new]
            if nlo <= olo and ohi <= nhi:
                self.dir_rule(d, "integer-widened", where, detail, via)
            elif olo <= nlo and nhi <= ohi:
                self.dir_rule(d, "integer-narrowed", where, detail, via)
            else:
                self.add("integer-range-changed", where, detail, via)
        elif old in _FLOATS and new in _FLOATS:
            self.add("float-width-changed", where, detail, via)
        else:
            self.add("type-kind-changed", where, detail, via)

    def named(self, old: Named, new: Named, d: Direction, via: str) -> None:
        odef, ndef = self.old.spec.type(old.name), self.new.spec.type(new.name)
        key = (format_type(old), format_type(new), d)
        if key in self._seen:
            return
        self._seen.add(key)
        if old.name != new.name:
            self.add("type-renamed", f"type {old.name}", f"{old.name} -> {new.name}", via)
        oenv = _env(odef, old.args)
        nenv = _env(ndef, new.args)
        match odef, ndef:
            case Struct(), Struct():
                self.fields(
                    self.old.fields(odef.fields),
                    self.new.fields(ndef.fields),
                    d,
                    f"type {new.name}",
                    via,
                    (oenv, nenv),
                    (odef.deny_unknown_fields, ndef.deny_unknown_fields),
                )
            case EnumType(), EnumType():
                self.enum(odef, ndef, d, via, (oenv, nenv))
            case _:
                detail = f"{_kind(odef)} -> {_kind(ndef)}"
                self.add("type-kind-changed", f"type {new.name}", detail, via)

    def fields(
        self,
        old: tuple[Field, ...],
        new: tuple[Field, ...],
        d: Direction,
        owner: str,
        via: str,
        envs: tuple[Env, Env],
        deny: tuple[bool, bool] = (False, False),
    ) -> None:
        old_by = {f.wire_name: f for f in old}
        new_by = {f.wire_name: f for f in new}
        gone = [f for f in old if f.wire_name not in new_by]
        came = [f for f in new if f.wire_name not in old_by]
        pairs = [(old_by[w], new_by[w]) for w in sorted(old_by.keys() & new_by.keys())]
        for o in list(gone):
            n = next((f for f in came if o.wire_name in f.aliases or f.name == o.name), None)
            if n is None:
                continue
            gone.remove(o)
            came.remove(n)
            pairs.append((o, n))
            subject = f"{owner}.{n.wire_name}"
            detail = f"wire name {o.wire_name} -> {n.wire_name}"
            if o.wire_name in n.aliases:
                self.dir_rule(d, "field-renamed-with-alias", subject, detail, via)
            else:
                self.add("field-renamed", subject, detail, via)
        for o in gone:
            subject = f"{owner}.{o.wire_name}"
            kind = "required" if o.required else "optional"
            self.dir_rule(d, f"field-removed-{kind}", subject, f"{kind} field removed", via)
            if deny[1]:
                self.dir_rule(d, "field-removed-strict", subject, "unknown to the new struct", via)
        for n in came:
            subject = f"{owner}.{n.wire_name}"
            kind = "required" if n.required else "optional"
            detail = f"{kind} field added ({format_type(n.type)})"
            self.dir_rule(d, f"field-added-{kind}", subject, detail, via)
            if deny[0]:
                self.dir_rule(d, "field-added-strict", subject, "unknown to the old struct", via)
        for o, n in sorted(pairs, key=lambda p: p[1].wire_name):
            self.field(o, n, d, f"{owner}.{n.wire_name}", via, envs)

    def field(
        self, o: Field, n: Field, d: Direction, subject: str, via: str, envs: tuple[Env, Env]
    ) -> None:
        if o.name != n.name:
            self.add("renamed-in-source", subject, f"field {o.name} -> {n.name}", via)
        self.nullable(o.nullable, n.nullable, d, subject, via)
        if n.required and not o.required:
            self.dir_rule(d, "field-made-required", subject, "optional -> required", via)
        elif o.required and not n.required:
            detail = "required -> optional" + (
                f" (default {_json(n.default)})" if n.has_default else ""
            )
            self.add("field-made-optional", subject, detail, via)
        for alias in sorted(set(n.aliases) - set(o.aliases) - {o.wire_name}):
            self.add("field-alias-added", subject, f"alias {alias}", via)
        for alias in sorted(set(o.aliases) - set(n.aliases) - {n.wire_name}):
            self.add("field-alias-removed", subject, f"alias {alias}", via)
        self.ref(o.type, n.type, d, subject, via, *envs)

    def enum(
        self, old: EnumType, new: EnumType, d: Direction, via: str, envs: tuple[Env, Env]
    ) -> None:
        owner = f"type {new.name}"
        if (old.tagging, old.tag, old.content) != (new.tagging, new.tag, new.content):
            detail = f"{_tagging(old)} -> {_tagging(new)}"
            self.add("tagging-changed", owner, detail, via)
            return
        old_by = {v.wire_name: v for v in old.variants}
        new_by = {v.wire_name: v for v in new.variants}
        gone = [v for v in old.variants if v.wire_name not in new_by]
        came = [v for v in new.variants if v.wire_name not in old_by]
        pairs = [(old_by[w], new_by[w]) for w in sorted(old_by.keys() & new_by.keys())]
        for o in list(gone):
            n = next((v for v in came if v.name == o.name), None)
            if n is not None:
                gone.remove(o)
                came.remove(n)
                pairs.append((o, n))
                detail = f"wire name {o.wire_name} -> {n.wire_name}"
                self.add("variant-renamed", f"{owner}::{n.wire_name}", detail, via)
        for o in gone:
            subject = f"{owner}::{o.wire_name}"
            if new.fallback_variant is not None:
                detail = f"variant removed; read as {new.fallback_variant.wire_name}"
                self.add("variant-removed-with-fallback", subject, detail, via)
            else:
                self.dir_rule(d, "variant-removed", subject, "variant removed", via)
        for n in came:
            subject = f"{owner}::{n.wire_name}"
            if old.fallback_variant is not None:
                detail = f"variant added; old readers read {old.fallback_variant.wire_name}"
                self.add("variant-added-with-fallback", subject, detail, via)
            else:
                self.dir_rule(d, "variant-added", subject, "variant added", via)
        for o, n in sorted(pairs, key=lambda p: p[1].wire_name):
            self.variant(o, n, d, f"{owner}::{n.wire_name}", via, envs)

    def variant(
        self, o: Variant, n: Variant, d: Direction, subject: str, via: str, envs: tuple[Env, Env]
    ) -> None:
        if o.name != n.name:
            self.add("renamed-in-source", subject, f"variant {o.name} -> {n.name}", via)
        match o.payload, n.payload:
            case UnitPayload(), UnitPayload():
                pass
            case NewtypePayload(ot), NewtypePayload(nt):
                self.ref(ot, nt, d, subject, via, *envs)
            case TuplePayload(oi), TuplePayload(ni) if len(oi) == len(ni):
                for index, (a, b) in enumerate(zip(oi, ni, strict=True)):
                    self.ref(a, b, d, f"{subject}.{index}", via, *envs)
            case StructPayload(of), StructPayload(nf):
                self.fields(self.old.fields(of), self.new.fields(nf), d, subject, via, envs)
            case _:
                detail = f"{_payload_kind(o.payload)} -> {_payload_kind(n.payload)}"
                self.add("type-kind-changed", subject, detail, via)

    # ------------------------------------------------------------------ types by name

    def same_names(self) -> None:
        old_uses = dict(_uses(self.old))
        new_uses = dict(_uses(self.new))
        for name in sorted(old_uses.keys() & new_uses.keys()):
            old_def, new_def = self.old.spec.type(name), self.new.spec.type(name)
            oref = Named(name, tuple(TypeParam(p) for p in old_def.type_params))
            nref = Named(name, tuple(TypeParam(p) for p in new_def.type_params))
            for d in sorted(old_uses[name] | new_uses[name]):
                if not any(k[0].split("<")[0] == name and k[2] is d for k in self._seen):
                    self.named(oref, nref, d, f"type {name}")


def _uses(v: SpecView) -> Iterator[tuple[str, set[Direction]]]:
    """Each type a view reaches, with the directions it travels in."""
    roots: dict[Direction, list[TypeRef]] = {Direction.INPUT: [], Direction.OUTPUT: []}
    for e in v.exports().values():
        for payload, d in ((e.input, Direction.INPUT), (e.output, Direction.OUTPUT)):
            if payload.type is not None:
                roots[d].append(payload.type)
        roots[Direction.OUTPUT].extend(c.type for c in e.errors if c.type is not None)
    for f in v.host_functions().values():
        if f.input is not None and f.input.type is not None:
            roots[Direction.OUTPUT].append(f.input.type)
        if f.output is not None and f.output.type is not None:
            roots[Direction.INPUT].append(f.output.type)
    uses: dict[str, set[Direction]] = {}
    for d, refs in roots.items():
        for name in v.spec.reachable_types(refs):
            uses.setdefault(name, set()).add(d)
    yield from uses.items()


def _bound(ref: TypeRef, env: Env) -> TypeRef:
    if isinstance(ref, TypeParam) and ref.name in env:
        return env[ref.name]
    return ref


def _env(type_def: TypeDef, args: tuple[TypeRef, ...]) -> Env:
    return dict(zip(type_def.type_params, args, strict=False))


def _by_code(conventions: tuple[ErrorConvention, ...]) -> dict[int, ErrorConvention]:
    return {c.code: c for c in conventions}


def _shape(c: ErrorConvention) -> str:
    if c.cause is ErrorCause.TRAP:
        return "trap"
    if c.encoding is Encoding.JSON and c.type is not None:
        return f"json {format_type(c.type)}"
    return str(c.encoding)


def _kind_of_message(c: ErrorConvention) -> str:
    """What a host reads an error by; a json message's type is compared structurally."""
    return "trap" if c.cause is ErrorCause.TRAP else str(c.encoding)


def _kind(t: TypeDef) -> str:
    return "struct" if isinstance(t, Struct) else "enum"


def _tagging(e: EnumType) -> str:
    keys = ", ".join(f"{k}={v}" for k, v in (("tag", e.tag), ("content", e.content)) if v)
    return f"{e.tagging}" + (f" ({keys})" if keys else "")


def _payload_kind(p: VariantPayload) -> str:
    match p:
        case UnitPayload():
            return "unit"
        case NewtypePayload(t):
            return format_type(t)
        case TuplePayload(items):
            return f"({', '.join(format_type(i) for i in items)})"
        case StructPayload():
            return "struct"
        case _:
            assert_never(p)


def _json(value: object) -> str:
    import json

    return json.dumps(value, sort_keys=True)


def compare(old: SpecView, new: SpecView) -> list[Change]:
    walk = _Walk(old, new)
    walk.exports()
    walk.host_functions()
    walk.host()
    walk.same_names()
    return sorted(walk.changes)
