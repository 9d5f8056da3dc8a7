"""A tiny assembler for Extism guest modules, written byte by byte (no WAT toolchain needed).

It builds the deliberately broken or scripted plugins the fault-matrix tests need: each
export runs a short script of steps (`Output`, `Error`, `Trap`, `Loop`, `Http`, `HttpHeaders`,
`Alloc`, `Echo`, `RequirePrefix`, `Log`, `ConfigGet`) against the Extism guest ABI imported from
`extism:host/env`, and `HostCall` steps calling QueryMT's `qmt_*` functions from
`extism:host/user` (imported only by modules that use them); a module may have a start
function and initializer exports too. Modules built here import no WASI, so they load with
`wasi=False` too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

I32, I64 = 0x7F, 0x7E

# (name, params, results) of the Extism kernel imports a script may use.
_IMPORTS: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = (
    ("alloc", (I64,), (I64,)),
    ("store_u8", (I64, I32), ()),
    ("output_set", (I64, I64), ()),
    ("error_set", (I64,), ()),
    ("http_request", (I64, I64), (I64,)),
    ("length", (I64,), (I64,)),
    ("input_length", (), (I64,)),
    ("input_load_u8", (I64,), (I32,)),
    ("log_error", (I64,), ()),
    ("log_warn", (I64,), ()),
    ("log_info", (I64,), ()),
    ("http_headers", (), (I64,)),
    ("config_get", (I64,), (I64,)),
)
_FN = {name: index for index, (name, _, _) in enumerate(_IMPORTS)}
QMT_MODULE = "extism:host/user"
QMT_IMPORTS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "qmt_log": ((I64,), ()),
    "qmt_http_request": ((I64,), (I64,)),
    "qmt_http_stream_open": ((I64,), (I64,)),
    "qmt_http_stream_next": ((I64,), (I64,)),
    "qmt_http_stream_close": ((I64,), ()),
    "qmt_yield_chunk": ((I64,), ()),
}
"""QueryMT's v2 host functions (params, results), as its plugins import them."""


def _uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _sleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        out.append(byte if done else byte | 0x80)
        if done:
            return bytes(out)


def _name(text: str) -> bytes:
    raw = text.encode()
    return _uleb(len(raw)) + raw


def _vec(items: Sequence[bytes]) -> bytes:
    return _uleb(len(items)) + b"".join(items)


def _section(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + _uleb(len(payload)) + payload


def _call(name: str) -> bytes:
    if name in QMT_IMPORTS:
        return b"\x10" + _uleb(len(_IMPORTS) + sorted(QMT_IMPORTS).index(name))
    return b"\x10" + _uleb(_FN[name])


def _output_block() -> bytes:
    """The block whose offset is on the stack becomes the output (kept in local 0)."""
    return (
        _LOCAL_SET
        + b"\x00"
        + _LOCAL_GET
        + b"\x00"
        + _LOCAL_GET
        + b"\x00"
        + _call("length")
        + _call("output_set")
    )


def _i64(value: int) -> bytes:
    return b"\x42" + _sleb(value)


def _i32(value: int) -> bytes:
    return b"\x41" + _sleb(value)


_LOCAL_GET, _LOCAL_SET = b"\x20", b"\x21"


def _block_from_bytes(data: bytes, pad: int = 0, local: int = 0) -> bytes:
    """Code leaving, in local `local`, an Extism block that holds `data` (and `pad` zeros)."""
    slot = bytes([local])
    code = _i64(len(data) + pad) + _call("alloc") + _LOCAL_SET + slot
    for offset, byte in enumerate(data):
        code += _LOCAL_GET + slot + _i64(offset) + b"\x7c" + _i32(byte) + _call("store_u8")
    return code


# --------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class Output:
    """Set the output to these bytes."""

    data: bytes


@dataclass(frozen=True)
class Error:
    """Set this error message and return `code`."""

    message: bytes
    code: int = -1


@dataclass(frozen=True)
class ReturnCode:
    """Return a non-zero code without setting an error."""

    code: int


@dataclass(frozen=True)
class Trap:
    """Execute `unreachable`."""


@dataclass(frozen=True)
class Loop:
    """Spin forever (only a timeout ends it)."""


@dataclass(frozen=True)
class Alloc:
    """Allocate `size` bytes of Extism memory (fails past the memory limit)."""

    size: int


@dataclass(frozen=True)
class Http:
    """Call `http_request` with this JSON request (and body, if any); the response body is the
    output."""

    request: bytes
    body: bytes | None = None


@dataclass(frozen=True)
class HttpHeaders:
    """Set the output to the `http_headers` block (the last response's headers as JSON)."""


@dataclass(frozen=True)
class Log:
    """Log `message` at `level` (error, warn or info), followed by `pad` zero bytes."""

    message: bytes
    level: str = "error"
    pad: int = 0


@dataclass(frozen=True)
class Echo:
    """Copy the input to the output unchanged (the input block is reused as output)."""


@dataclass(frozen=True)
class RequirePrefix:
    """Unless the input starts with `prefix`, set `message` as the error and return -1.

    A stand-in for input decoding: a scripted export can reject malformed input or an invalid
    configuration the spec's way (an error message, not a trap) and go on with valid input.
    """

    prefix: bytes
    message: bytes = b"Serde error: invalid input"


@dataclass(frozen=True)
class ConfigGet:
    """Read this manifest `config` key (`config_get`); its value, or nothing, is the output."""

    key: bytes


@dataclass(frozen=True)
class HostCall:
    """Call QueryMT's host function `name` with a block holding `data` (and `pad` zeros). Its
    result block (if it has one) becomes the output, unless `ignore`: then the result is dropped
    and the export goes on as if nothing had failed."""

    name: str
    data: bytes
    ignore: bool = False
    pad: int = 0


Step = (
    Output
    | Error
    | ReturnCode
    | Trap
    | Loop
    | Alloc
    | Http
    | Echo
    | RequirePrefix
    | Log
    | HttpHeaders
    | ConfigGet
    | HostCall
)


def _step_code(step: Step) -> bytes:
    match step:
        case Output(data):
            return (
                _block_from_bytes(data)
                + _LOCAL_GET
                + b"\x00"
                + _i64(len(data))
                + _call("output_set")
            )
        case Error(message, code):
            return (
                _block_from_bytes(message)
                + _LOCAL_GET
                + b"\x00"
                + _call("error_set")
                + (_i32(code) + b"\x0f")
            )
        case ReturnCode(code):
            return _i32(code) + b"\x0f"
        case Trap():
            return b"\x00"
        case Loop():
            return b"\x03\x40\x0c\x00\x0b"  # loop (br 0) end
        case Alloc(size):
            return _i64(size) + _call("alloc") + b"\x1a"
        case HttpHeaders():
            return _call("http_headers") + _output_block()
        case Log(message, level, pad):
            return _block_from_bytes(message, pad) + _LOCAL_GET + b"\x00" + _call(f"log_{level}")
        case Http(request, body):
            body_code = _i64(0) if body is None else _LOCAL_GET + b"\x01"
            return (
                (b"" if body is None else _block_from_bytes(body, local=1))
                + _block_from_bytes(request)
                + _LOCAL_GET
                + b"\x00"
                + body_code
                + _call("http_request")
                + _output_block()
            )
        case ConfigGet(key):
            return (
                _block_from_bytes(key)
                + _LOCAL_GET
                + b"\x00"
                + _call("config_get")
                + _output_block()
            )
        case HostCall(name, data, ignore, pad):
            code = _block_from_bytes(data, pad) + _LOCAL_GET + b"\x00" + _call(name)
            if not QMT_IMPORTS[name][1]:
                return code
            return code + (b"\x1a" if ignore else _output_block())
        case RequirePrefix(prefix, message):
            # block $ok { block $bad { input_length < len -> $bad; each byte != -> $bad;
            # br $ok } error_set(message); return -1 }
            code = b"\x02\x40\x02\x40" + _call("input_length") + _i64(len(prefix))
            code += b"\x54\x0d\x00"  # i64.lt_u, br_if 0 ($bad)
            for offset, byte in enumerate(prefix):
                code += _i64(offset) + _call("input_load_u8") + _i32(byte)
                code += b"\x47\x0d\x00"  # i32.ne, br_if 0 ($bad)
            code += b"\x0c\x01\x0b"  # br 1 ($ok), end $bad
            code += _block_from_bytes(message) + _LOCAL_GET + b"\x00" + _call("error_set")
            return code + _i32(-1) + b"\x0f\x0b"  # return -1, end $ok
        case Echo():
            # local0 = alloc(n); for i in 0..n: store_u8(local0 + i, input_load_u8(i))
            n = _call("input_length")
            return (
                n
                + _call("alloc")
                + _LOCAL_SET
                + b"\x00"
                + _i64(0)
                + _LOCAL_SET
                + b"\x01"
                + b"\x02\x40\x03\x40"  # block, loop
                + _LOCAL_GET
                + b"\x01"
                + n
                + b"\x5a"  # i64.ge_u
                + b"\x0d\x01"  # br_if 1 (exit block)
                + _LOCAL_GET
                + b"\x00"
                + _LOCAL_GET
                + b"\x01"
                + b"\x7c"
                + _LOCAL_GET
                + b"\x01"
                + _call("input_load_u8")
                + _call("store_u8")
                + _LOCAL_GET
                + b"\x01"
                + _i64(1)
                + b"\x7c"
                + _LOCAL_SET
                + b"\x01"
                + b"\x0c\x00"  # br 0 (loop)
                + b"\x0b\x0b"  # end loop, end block
                + _LOCAL_GET
                + b"\x00"
                + n
                + _call("output_set")
            )


NULLARY_EXPORTS = frozenset(("_initialize", "__wasm_call_ctors"))
"""Exports built as `[] -> []` functions (the initializers Extism runs at instantiation)."""


def build_module(
    exports: Mapping[str, Iterable[Step]],
    *,
    start: Iterable[Step] | None = None,
    host_imports: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A module whose export `name` runs its steps in order, then returns 0.

    Exports named in `NULLARY_EXPORTS` take and return nothing; `start` (steps that must not
    return a code) becomes the module's start function, which is not exported. `host_imports`
    are (module, name) functions `(i64) -> i64` the module imports but never calls (to look
    like a plugin of another host).
    """
    scripts = {name: list(steps) for name, steps in exports.items()}
    start_steps = None if start is None else list(start)
    steps_used = [step for steps in scripts.values() for step in steps] + (start_steps or [])
    # The qmt_* imports follow the kernel's (see `_call`); a module that calls none has none.
    qmt = sorted(QMT_IMPORTS) if any(isinstance(s, HostCall) for s in steps_used) else []
    signatures = [(p, r) for _, p, r in _IMPORTS] + [QMT_IMPORTS[name] for name in qmt]
    types = [
        b"\x60" + _vec([bytes([p]) for p in params]) + _vec([bytes([r]) for r in results])
        for params, results in signatures
    ]
    export_type = len(types)
    types.append(b"\x60\x00\x01" + bytes([I32]))  # () -> i32
    nullary_type = len(types)
    types.append(b"\x60\x00\x00")  # () -> ()
    imports = [
        _name("extism:host/env") + _name(name) + b"\x00" + _uleb(index)
        for index, (name, _, _) in enumerate(_IMPORTS)
    ] + [
        _name(QMT_MODULE) + _name(name) + b"\x00" + _uleb(len(_IMPORTS) + index)
        for index, name in enumerate(qmt)
    ]
    i64_to_i64 = _FN["alloc"]  # the type of `alloc`, (i64) -> i64
    imports += [_name(m) + _name(n) + b"\x00" + _uleb(i64_to_i64) for m, n in host_imports]
    n_imports = len(imports)
    names = sorted(scripts)
    bodies_steps = [(name in NULLARY_EXPORTS, scripts[name]) for name in names]
    if start_steps is not None:
        bodies_steps.append((True, start_steps))
    functions = [_uleb(nullary_type if nullary else export_type) for nullary, _ in bodies_steps]
    export_entries = [
        _name(name) + b"\x00" + _uleb(n_imports + index) for index, name in enumerate(names)
    ]
    bodies = []
    for nullary, steps in bodies_steps:
        code = b"".join(_step_code(step) for step in steps) + (b"" if nullary else _i32(0))
        body = _vec([_uleb(2) + bytes([I64])]) + code + b"\x0b"  # two i64 locals
        bodies.append(_uleb(len(body)) + body)
    start_section = b""
    if start_steps is not None:
        start_section = _section(8, _uleb(n_imports + len(names)))
    return (
        b"\x00asm\x01\x00\x00\x00"
        + _section(1, _vec(types))
        + _section(2, _vec(imports))
        + _section(3, _vec(functions))
        + _section(7, _vec(export_entries))
        + start_section
        + _section(10, _vec(bodies))
    )
