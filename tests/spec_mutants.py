"""A corpus of broken specs, made by code from the real v1 spec (no hand-copied files).

Each mutant changes `spec/querymt-extism-v1.yaml` in one place and knows the line of the
change, where its error must be reported. `VALID_VARIANTS` are unusual but valid specs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "querymt-extism-v1.yaml"
SPEC_TEXT = SPEC_PATH.read_text(encoding="utf-8")

KINDS = (
    "yaml-tag",
    "merge-key",
    "control-byte",
    "not-utf8",
    "recursive-alias",
    "undefined-alias",
    "deep-nesting",
    "alias-bomb",
    "yaml-syntax",
    "non-string-key",
    "duplicate-key",
    "huge-integer",
    "invalid-name",
    "reserved-name",
    "keyword-name",
    "bad-default",
    "bad-field-example",
    "non-finite-number",
    "since-after-abi",
    "bad-type-example",
    "bad-type-expression",
    "unknown-key",
    "schema-violation",
)


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: str
    data: bytes
    line: int
    """1-based line of the cause, where the diagnostic must point."""


def line_of(needle: str, text: str = SPEC_TEXT) -> int:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1


def _replace(name: str, kind: str, old: str, new: str, *, at: str | None = None) -> Mutant:
    """`old` (which must occur) replaced by `new`; the cause is at `at` inside `new`."""
    assert old in SPEC_TEXT, old
    line = line_of(old) + (new[: new.index(at)].count("\n") if at is not None else 0)
    return Mutant(name, kind, SPEC_TEXT.replace(old, new, 1).encode("utf-8"), line)


def _bytes(name: str, kind: str, old: str, new: bytes) -> Mutant:
    raw = SPEC_TEXT.encode("utf-8")
    assert old.encode() in raw, old
    return Mutant(name, kind, raw.replace(old.encode(), new, 1), line_of(old))


_TITLE = "title: QueryMT Extism plugin ABI v1"
_ABI = "abi_version: 1\n"
_USER = "description: The end user."
_ROLES = "    examples: [User, Assistant]"
_USAGE_DOC = "description: Token counts of one call."
_INPUT_TOKENS = "      - name: input_tokens\n        type: u32\n"
_USAGE_EXAMPLE = "      - {input_tokens: 57, output_tokens: 9}\n"
_CHAT_ROLE = "  ChatRole:\n    kind: enum\n"
_NAME_EXPORT = "  name:\n    description: The plugin's display name"
_CHAT_EXPORT = "  chat:\n    description: Sends a conversation"
_TEXT_FIELD = "      - name: text\n        type: string\n        description: The generated text."
_ROLE_FIELD = "      - name: role\n        type: ChatRole\n"
_COMPLETION_RESPONSE = "  CompletionResponse:\n    kind: struct\n"


def _bomb(levels: int, width: int) -> str:
    lines = ["      - &b0 [lol]"]
    for level in range(1, levels + 1):
        items = ", ".join([f"*b{level - 1}"] * width)
        lines.append(f"      - &b{level} [{items}]")
    return "\n".join(lines) + "\n"


def _tags() -> list[Mutant]:
    return [
        _replace("custom-tag-title", "yaml-tag", _TITLE, "title: !custom x"),
        _replace("int-tag-on-word", "yaml-tag", _ABI, "abi_version: !!int one\n"),
        _replace("binary-tag", "yaml-tag", _USER, 'description: !!binary "***"'),
        _replace("float-tag-on-word", "yaml-tag", _ABI, "abi_version: !!float abc\n"),
        _replace("bool-tag-on-word", "yaml-tag", _USER, "description: !!bool maybe"),
        _replace("set-tag", "yaml-tag", _ROLES, "    examples: !!set {User: null}"),
        _replace("omap-tag", "yaml-tag", _ROLES, "    examples: !!omap [{a: 1}]"),
        _replace("timestamp-tag", "yaml-tag", _USER, "description: !!timestamp 2024-01-01"),
        _replace(
            "python-object-tag", "yaml-tag", _USER, "description: !!python/object:os.system x"
        ),
        _replace(
            "local-tag-on-mapping", "yaml-tag", _CHAT_ROLE, "  ChatRole: !thing\n    kind: enum\n"
        ),
        _replace(
            "merge-key",
            "merge-key",
            _CHAT_ROLE,
            "  ChatRole:\n    <<: {kind: enum}\n    kind: enum\n",
            at="<<",
        ),
        _replace(
            "merge-key-in-example",
            "merge-key",
            _USAGE_EXAMPLE,
            "      - {<<: {input_tokens: 1}, output_tokens: 9}\n",
        ),
    ]


def _characters() -> list[Mutant]:
    return [
        _replace("nul-byte", "control-byte", _USER, "description: The end\x00 user."),
        _replace("bell-byte", "control-byte", _USER, "description: The end\x07 user."),
        _replace("escape-byte", "control-byte", _USAGE_DOC, "description: Token\x1b[1m counts."),
        _replace("backspace-byte", "control-byte", _TITLE, "title: QueryMT\x08 ABI"),
        _replace("form-feed", "control-byte", _USER, "description: The\x0c end user."),
        _replace("bom-in-the-middle", "control-byte", _USER, "description: The \ufeffend user."),
        _replace("del-byte", "control-byte", _USER, "description: The end user.\x7f"),
        _bytes("latin1-byte", "not-utf8", _USAGE_DOC, b"description: Token counts \xe9 call."),
        _bytes("lone-ff", "not-utf8", _USER, b"description: The end \xff user."),
        _bytes("truncated-sequence", "not-utf8", _TITLE, b"title: QueryMT \xe2\x82 ABI"),
        _bytes("surrogate-bytes", "not-utf8", _USER, b"description: \xed\xa0\x80 user."),
    ]


def _aliases() -> list[Mutant]:
    return [
        _replace(
            "recursive-sequence", "recursive-alias", _ROLES, "    examples: &loop [User, *loop]"
        ),
        _replace(
            "recursive-mapping",
            "recursive-alias",
            _USAGE_EXAMPLE,
            "      - &m {input_tokens: 57, output_tokens: *m}\n",
        ),
        _replace(
            "recursive-nested",
            "recursive-alias",
            _ROLES,
            "    examples: &outer [User, [Assistant, [*outer]]]",
        ),
        _replace("undefined-alias", "undefined-alias", _ROLES, "    examples: [User, *nowhere]"),
        _replace(
            "alias-before-anchor",
            "undefined-alias",
            _ROLES,
            "    examples: [*later, &later User]",
        ),
        _replace(
            "alias-bomb",
            "alias-bomb",
            _USAGE_EXAMPLE,
            _USAGE_EXAMPLE + _bomb(10, 9),
            at="&b5",
        ),
        _replace(
            "alias-bomb-wide",
            "alias-bomb",
            _USAGE_EXAMPLE,
            _USAGE_EXAMPLE + _bomb(4, 40),
            at="&b3",
        ),
    ]


def _nesting() -> list[Mutant]:
    return [
        _replace(
            "5000-brackets", "deep-nesting", _TITLE, _TITLE + "\nextra: " + "[" * 5000, at="extra"
        ),
        _replace(
            "deep-closed-lists",
            "deep-nesting",
            _USAGE_EXAMPLE,
            "      - " + "[" * 300 + "]" * 300 + "\n",
        ),
        _replace(
            "deep-mappings",
            "deep-nesting",
            _TITLE,
            _TITLE + "\nextra: " + "{a: " * 200 + "1" + "}" * 200,
            at="extra",
        ),
        _replace(
            "deep-block-lists",
            "deep-nesting",
            _USAGE_EXAMPLE,
            "".join("  " * (3 + i) + "- \n" for i in range(100)) + "  " * 103 + "- x\n",
            at="  " * (3 + 61) + "- ",
        ),
        _replace(
            "deep-type-expression",
            "bad-type-expression",
            _INPUT_TOKENS,
            "      - name: input_tokens\n        type: "
            + "list<" * 2000
            + "u32"
            + ">" * 2000
            + "\n",
            at="type:",
        ),
    ]


def _syntax() -> list[Mutant]:
    return [
        _replace("unclosed-double-quote", "yaml-syntax", _USER, 'description: "The end user.'),
        _replace("unclosed-single-quote", "yaml-syntax", _USAGE_DOC, "description: 'Token counts"),
        _replace("unclosed-bracket", "yaml-syntax", _ROLES, "    examples: [User, Assistant"),
        _replace("unclosed-brace", "yaml-syntax", _USAGE_EXAMPLE, "      - {input_tokens: 57\n"),
        _replace(
            "bad-indentation",
            "yaml-syntax",
            _CHAT_ROLE,
            "  ChatRole:\n     kind: enum\n    x: 1\n",
            at="    x",
        ),
        _replace(
            "tab-indentation", "yaml-syntax", _CHAT_ROLE, "  ChatRole:\n\tkind: enum\n", at="\t"
        ),
        _replace("second-document", "yaml-syntax", _CHAT_ROLE, "---\n" + _CHAT_ROLE),
        _replace(
            "colon-in-plain-flow", "yaml-syntax", _ROLES, "    examples: [User: Assistant: x]"
        ),
        _replace("stray-dash", "yaml-syntax", _TITLE, _TITLE + "\n- stray", at="- stray"),
        _replace(
            "unclosed-quote-in-list", "yaml-syntax", _ROLES, '    examples: ["User, Assistant]'
        ),
        _replace("anchor-without-value", "yaml-syntax", _ROLES, "    examples: [&, User]"),
        _replace(
            "complex-key",
            "non-string-key",
            _CHAT_ROLE,
            "  ChatRole:\n    ? [a, b]\n    : 1\n    kind: enum\n",
            at="?",
        ),
        _replace("flow-list-key", "non-string-key", _USAGE_EXAMPLE, "      - {[1]: x}\n"),
        _replace(
            "duplicate-top-key",
            "duplicate-key",
            _TITLE,
            _TITLE + "\ntitle: again",
            at="title: again",
        ),
        _replace(
            "duplicate-type",
            "duplicate-key",
            _COMPLETION_RESPONSE,
            "  ChatRole:\n    kind: struct\n    description: x\n    fields: []\n"
            + _COMPLETION_RESPONSE,
        ),
        _replace(
            "duplicate-in-example",
            "duplicate-key",
            _USAGE_EXAMPLE,
            "      - {input_tokens: 1, input_tokens: 2}\n",
        ),
        _replace("5000-digit-version", "huge-integer", _ABI, "abi_version: " + "1" * 5000 + "\n"),
        _replace(
            "5000-digit-example",
            "huge-integer",
            _USAGE_EXAMPLE,
            "      - {input_tokens: " + "9" * 5000 + "}\n",
        ),
    ]


def _names() -> list[Mutant]:
    type_key = _CHAT_ROLE
    export_key = _NAME_EXPORT
    reserved = ["Any", "Field", "Literal", "RootModel", "Annotated", "BaseModel", "ClassVar"]
    reserved += ["ValueError", "Path", "Plugin", "WireModel", "U32", "Option", "Serialize"]
    reserved += ["Default", "LLMError", "Self"]
    mutants = [
        _replace("lowercase-type-name", "invalid-name", type_key, "  chatRole:\n    kind: enum\n"),
        _replace("dashed-type-name", "invalid-name", type_key, "  Chat-Role:\n    kind: enum\n"),
        _replace(
            "underscore-type-name", "invalid-name", type_key, "  Chat_Role:\n    kind: enum\n"
        ),
        _replace(
            "dashed-export-name",
            "invalid-name",
            export_key,
            export_key.replace("name:", "na-me:", 1),
        ),
        _replace(
            "capital-export-name",
            "invalid-name",
            export_key,
            export_key.replace("name:", "Name:", 1),
        ),
        _replace(
            "bad-field-name",
            "invalid-name",
            _ROLE_FIELD,
            "      - name: Role\n        type: ChatRole\n",
        ),
        _replace(
            "bad-variant-name", "invalid-name", "      - name: User\n", "      - name: user\n"
        ),
        _replace(
            "type-param-name",
            "invalid-name",
            "  Config:\n    description:",
            "  config:\n    description:",
        ),
        _replace(
            "keyword-field",
            "keyword-name",
            _ROLE_FIELD,
            "      - name: match\n        type: ChatRole\n",
        ),
        _replace(
            "python-keyword-field",
            "keyword-name",
            _ROLE_FIELD,
            "      - name: lambda\n        type: ChatRole\n",
        ),
        _replace(
            "keyword-export", "keyword-name", export_key, export_key.replace("name:", "async:", 1)
        ),
        _replace(
            "field-shadows-model-json",
            "reserved-name",
            _ROLE_FIELD,
            "      - name: json\n        type: ChatRole\n",
        ),
        _replace(
            "field-model-config",
            "reserved-name",
            _ROLE_FIELD,
            "      - name: model_config\n        type: ChatRole\n",
        ),
        _replace(
            "export-clashes-with-method",
            "reserved-name",
            export_key,
            export_key.replace("name:", "close:", 1),
        ),
        _replace(
            "export-clashes-with-open",
            "reserved-name",
            _CHAT_EXPORT,
            _CHAT_EXPORT.replace("chat:", "open:", 1),
        ),
    ]
    for name in reserved:
        mutants.append(
            _replace(
                f"type-named-{name}",
                "reserved-name",
                _COMPLETION_RESPONSE,
                f"  {name}:\n    kind: struct\n    description: x\n    fields: []\n"
                + _COMPLETION_RESPONSE,
            )
        )
    return mutants


def _values() -> list[Mutant]:
    text_with = _TEXT_FIELD.replace("type: string\n", "type: u32\n")
    return [
        _replace(
            "default-word-on-u32",
            "bad-default",
            _TEXT_FIELD,
            text_with + "\n        default: lots",
            at="default",
        ),
        _replace(
            "default-negative-u32",
            "bad-default",
            _TEXT_FIELD,
            text_with + "\n        default: -1",
            at="default",
        ),
        _replace(
            "default-null-not-nullable",
            "bad-default",
            _TEXT_FIELD,
            _TEXT_FIELD + "\n        default: null",
            at="default",
        ),
        _replace(
            "default-number-on-string",
            "bad-default",
            _TEXT_FIELD,
            _TEXT_FIELD + "\n        default: 5",
            at="default",
        ),
        _replace(
            "default-rust-cannot-write",
            "bad-default",
            _TEXT_FIELD,
            _TEXT_FIELD.replace("type: string", "type: list<string>") + "\n        default: [a]",
            at="default",
        ),
        _replace(
            "field-example-word-on-u32",
            "bad-field-example",
            _INPUT_TOKENS,
            _INPUT_TOKENS + "        examples: [many, -3]\n",
            at="examples",
        ),
        _replace(
            "field-example-on-enum",
            "bad-field-example",
            _ROLE_FIELD,
            _ROLE_FIELD + "        examples: [Robot]\n",
            at="examples",
        ),
        _replace(
            "field-example-too-big",
            "bad-field-example",
            _INPUT_TOKENS,
            _INPUT_TOKENS + "        examples: [4294967296]\n",
            at="examples",
        ),
        _replace(
            "nan-in-type-example",
            "non-finite-number",
            _USAGE_EXAMPLE,
            "      - {input_tokens: .nan, output_tokens: 9}\n",
        ),
        _replace(
            "inf-in-export-example",
            "non-finite-number",
            "output: [[0.012, -0.3], [0.5, 0.07]]",
            "output: [[.inf, -0.3], [0.5, 0.07]]",
        ),
        _replace(
            "minus-inf-in-field-example",
            "non-finite-number",
            _INPUT_TOKENS,
            _INPUT_TOKENS + "        examples: [-.inf]\n",
            at="examples",
        ),
        _replace(
            "nan-default",
            "non-finite-number",
            _TEXT_FIELD,
            _TEXT_FIELD.replace("type: string", "type: f32") + "\n        default: .NaN",
            at="default",
        ),
        _replace(
            "type-since-7", "since-after-abi", _CHAT_ROLE, _CHAT_ROLE + "    since: 7\n", at="since"
        ),
        _replace(
            "export-since-2",
            "since-after-abi",
            _NAME_EXPORT,
            _NAME_EXPORT.replace("  name:\n", "  name:\n    since: 2\n"),
            at="since",
        ),
        _replace("role-example-unknown", "bad-type-example", _ROLES, "    examples: [User, Robot]"),
        _replace(
            "usage-example-negative",
            "bad-type-example",
            _USAGE_EXAMPLE,
            "      - {input_tokens: -57, output_tokens: 9}\n",
        ),
        _replace(
            "usage-example-missing-key",
            "bad-type-example",
            _USAGE_EXAMPLE,
            "      - {input_tokens: 57}\n",
        ),
        _replace(
            "unknown-field-type",
            "bad-type-expression",
            _INPUT_TOKENS,
            _INPUT_TOKENS.replace("u32", "u33"),
            at="type",
        ),
        _replace(
            "wrong-arity",
            "bad-type-expression",
            _INPUT_TOKENS,
            _INPUT_TOKENS.replace("u32", "list<u32, u32>"),
            at="type",
        ),
        _replace(
            "unparsable-type",
            "bad-type-expression",
            _INPUT_TOKENS,
            _INPUT_TOKENS.replace("u32", "list<u32"),
            at="type",
        ),
        _replace(
            "unknown-key-in-type",
            "unknown-key",
            _CHAT_ROLE,
            _CHAT_ROLE + "    colour: red\n",
            at="colour",
        ),
        _replace("unknown-top-key", "unknown-key", _TITLE, _TITLE + "\nauthor: me", at="author"),
        _replace("abi-version-zero", "schema-violation", _ABI, "abi_version: 0\n"),
        _replace("abi-version-string", "schema-violation", _ABI, "abi_version: one\n"),
        _replace(
            "bad-encoding",
            "schema-violation",
            "    output: {encoding: utf8, description: The display name.}",
            "    output: {encoding: utf16, description: The display name.}",
        ),
        _replace(
            "optional-not-bool",
            "schema-violation",
            "    optional: false\n    host_use: Called on the probe",
            "    optional: maybe\n    host_use: Called on the probe",
        ),
    ]


def mutants() -> list[Mutant]:
    corpus = [*_tags(), *_characters(), *_aliases(), *_nesting(), *_syntax(), *_names(), *_values()]
    names = [m.name for m in corpus]
    assert len(names) == len(set(names)), "mutant names must be unique"
    return corpus


# --------------------------------------------------------------------------- valid variants


def _chain(count: int) -> str:
    """`count` types, each holding the next directly: a deep but finite value."""
    parts = []
    for i in range(count):
        fields = (
            f"      - {{name: next, type: Chain{i + 1}, description: the next}}\n"
            if i + 1 < count
            else "      - {name: end, type: u32, description: the end}\n"
        )
        parts.append(
            f"  Chain{i}:\n    kind: struct\n    description: link {i}\n    fields:\n{fields}"
        )
    return "".join(parts)


def _lattice(layers: int) -> str:
    """`layers` layers of two types, each holding both types of the next layer."""
    parts = []
    for layer in range(layers):
        for side in "AB":
            if layer + 1 < layers:
                fields = "".join(
                    f"      - {{name: {s.lower()}, type: Lat{layer + 1}{s}, description: x}}\n"
                    for s in "AB"
                )
            else:
                fields = "      - {name: end, type: u32, description: x}\n"
            parts.append(
                f"  Lat{layer}{side}:\n    kind: struct\n    description: x\n    fields:\n{fields}"
            )
    return "".join(parts)


def with_types(extra: str) -> str:
    return SPEC_TEXT.replace("\ntypes:\n", "\ntypes:\n" + extra, 1)


def _big(megabytes: int) -> str:
    words = " ".join(f"word{i % 1000}" for i in range(megabytes * 1024 * 1024 // 8))
    return SPEC_TEXT.replace(_USAGE_DOC, f"description: >-\n      {words}", 1)


def _anchors() -> str:
    text = SPEC_TEXT.replace(
        "    input: {encoding: ignored, description: Not read; the host sends `null`.}\n",
        "    input: &ignored {encoding: ignored, description: Not read; the host sends `null`.}\n",
        1,
    )
    text = text.replace(
        "    input: {encoding: ignored, description: Not read; the host sends `null`.}\n",
        "    input: *ignored\n",
    )
    return text.replace(_ROLES, "    examples: [&user User, Assistant, *user]", 1)


VALID_VARIANTS: dict[str, Callable[[], bytes]] = {
    "bom": lambda: b"\xef\xbb\xbf" + SPEC_TEXT.encode("utf-8"),
    "crlf": lambda: SPEC_TEXT.replace("\n", "\r\n").encode("utf-8"),
    "anchors-and-aliases": lambda: _anchors().encode("utf-8"),
    "five-megabytes": lambda: _big(5).encode("utf-8"),
    "chain-1500": lambda: with_types(_chain(1500)).encode("utf-8"),
    "lattice-60": lambda: with_types(_lattice(30)).encode("utf-8"),
    "timestamp-like-string": lambda: SPEC_TEXT.replace(
        _USER, "description: 2024-01-01", 1
    ).encode(),
}


# --------------------------------------------------------------------------- v2 mutants

V2_SPEC_PATH = ROOT / "spec" / "querymt-extism-v2.yaml"
V2_SPEC_TEXT = V2_SPEC_PATH.read_text(encoding="utf-8")

V2_KINDS = (
    "unknown-dialect",
    "dialect-override",
    "duplicate-dialect",
    "unknown-error-convention",
    "error-convention-shape",
    "bad-error-example",
    "protocol",
    "host-mode",
    "host-function",
    "payload-encoding",
    "fallback-variant",
    "min-items",
    "target-name",
    "dialect-field",
    "new-export",
    "classifier",
)


def _v2(
    name: str, kind: str, old: str, new: str, *, at: str | None = None, line: int | None = None
) -> Mutant:
    """Like `_replace`, on the v2 spec; `line` when the cause is outside the change."""
    assert V2_SPEC_TEXT.count(old) == 1, old
    if line is None:
        line = line_of(old, V2_SPEC_TEXT) + (new[: new.index(at)].count("\n") if at else 0)
    return Mutant(name, kind, V2_SPEC_TEXT.replace(old, new, 1).encode("utf-8"), line)


_CLASSIFY = "    optional: true\n    since: 0.6.0\n    errors: [decode]\n"
_FROM_CONFIG_DIALECT = "    dialects:\n      0.5.2:\n"
_LAST_DIALECT = "  - name: 0.6.0\n"
_TYPED = "  typed:\n    code: 1\n    encoding: json\n    type: PluginError\n    cause: provider\n"
_TYPED_EXAMPLE = (
    """      - '{"payload":{"type":"not_implemented","message":"streaming not supported"}}'"""
)
_STEP = "      - {export: parse_chat_response, calls: optional, description: A 2xx response.}"
_SPEECH_STEP = "      - {host_function: qmt_http_request, calls: repeated,"
_MODE = "      requires: [chat_request, chat_stream_request,"
_QMT_LOG = "    name: qmt_log\n    params: [i64]\n    results: []\n"
_CLOSE_OUTPUT = (
    "    output: {encoding: empty, description: No bytes.}\n"
    "    errors: [decode]\n    examples:\n      - {description: close"
)
_FALLBACK = "      - {name: UnknownPermanent, rename: unknown_permanent, other: true,"
_MANY = "value: list<string>, min_items: 1}"
_TARGET_NAMES = "    target_names: {python: PluginErrorDocument}\n"
_RULE_429 = "      - {status: [429], result: {type: provider_error, kind: rate_limited}}\n"
_RULE_5XX = (
    "      - {status: [408, 425, 500-599],"
    " result: {type: provider_error, kind: unknown_transient}}\n"
)
_KIND_FIELD = "          - {since: 0.6.0, name: kind, type: ProviderErrorKind,"


def v2_mutants() -> list[Mutant]:
    corpus = [
        _v2(
            "since-unknown-dialect",
            "unknown-dialect",
            _CLASSIFY,
            _CLASSIFY.replace("0.6.0", "0.7.0"),
            at="since",
        ),
        _v2(
            "field-since-unknown-dialect",
            "unknown-dialect",
            _KIND_FIELD,
            _KIND_FIELD.replace("0.6.0", "0.6.1"),
        ),
        _v2(
            "override-unknown-dialect",
            "dialect-override",
            _FROM_CONFIG_DIALECT,
            _FROM_CONFIG_DIALECT.replace("0.5.2", "0.4.9"),
            at="0.4.9",
        ),
        _v2(
            "override-of-the-newest-dialect",
            "dialect-override",
            _FROM_CONFIG_DIALECT,
            _FROM_CONFIG_DIALECT.replace("0.5.2", "0.6.0"),
            at="0.6.0",
        ),
        _v2(
            "override-before-the-export-exists",
            "dialect-override",
            _CLASSIFY,
            _CLASSIFY + "    dialects:\n      0.5.2: {host_use: never}\n",
            at="0.5.2",
        ),
        _v2(
            "dialect-declared-twice",
            "duplicate-dialect",
            _LAST_DIALECT,
            _LAST_DIALECT.replace("0.6.0", "0.5.2"),
        ),
        _v2(
            "export-names-unknown-convention",
            "unknown-error-convention",
            _CLASSIFY,
            _CLASSIFY.replace("[decode]", "[decode, decoded]"),
            at="errors",
        ),
        _v2(
            "override-names-unknown-convention",
            "unknown-error-convention",
            '        errors: [decode]\n        host_use: "Called once per provider build',
            '        errors: [typo]\n        host_use: "Called once per provider build',
        ),
        _v2(
            "json-convention-without-type",
            "error-convention-shape",
            _TYPED,
            _TYPED.replace("    type: PluginError\n", ""),
            at="    code",
        ),
        _v2(
            "utf8-convention-with-type",
            "error-convention-shape",
            "  trap:\n    code: 134\n    encoding: utf8\n",
            "  trap:\n    code: 134\n    encoding: utf8\n    type: PluginError\n",
            at="    type",
        ),
        _v2(
            "convention-unknown-cause",
            "error-convention-shape",
            _TYPED,
            _TYPED.replace("cause: provider", "cause: provider_code"),
            at="cause",
        ),
        _v2(
            "convention-code-zero",
            "error-convention-shape",
            _TYPED,
            _TYPED.replace("code: 1", "code: 0"),
            at="code",
        ),
        _v2(
            "typed-example-not-the-type",
            "bad-error-example",
            _TYPED_EXAMPLE,
            """      - '{"payload":{"type":"not_implemented"}}'""",
        ),
        _v2(
            "typed-example-not-json",
            "bad-error-example",
            _TYPED_EXAMPLE,
            "      - 'not_implemented: streaming not supported'",
        ),
        _v2(
            "step-unknown-export",
            "protocol",
            _STEP,
            _STEP.replace("export: parse_chat_response", "export: parse_chat_responses"),
        ),
        _v2(
            "step-unknown-host-function",
            "protocol",
            _SPEECH_STEP,
            _SPEECH_STEP.replace("qmt_http_request", "qmt_http_fetch"),
        ),
        _v2(
            "step-export-and-host-function",
            "protocol",
            _STEP,
            _STEP.replace("calls: optional", "host_function: qmt_log, calls: optional"),
        ),
        _v2("step-unknown-calls", "protocol", _STEP, _STEP.replace("optional", "sometimes")),
        _v2(
            "mode-requires-unknown-export",
            "host-mode",
            _MODE,
            _MODE.replace("chat_stream_request", "chat_streaming_request"),
        ),
        _v2(
            "host-function-signature",
            "host-function",
            _QMT_LOG,
            _QMT_LOG.replace("results: []", "results: [i64]"),
            at="    params",
        ),
        _v2(
            "host-function-declared-twice",
            "host-function",
            "    name: qmt_http_request\n",
            "    name: qmt_log\n",
        ),
        _v2(
            "host-function-unknown-encoding",
            "host-function",
            "    input: {encoding: json, type: ExtismLogRecord, description: The record.}",
            "    input: {encoding: ignored, description: The record.}",
        ),
        _v2(
            "empty-input",
            "payload-encoding",
            "    input: {encoding: json, type: i64, description: The parser id.}\n"
            "    output: {encoding: empty,",
            "    input: {encoding: empty, description: The parser id.}\n"
            "    output: {encoding: empty,",
        ),
        _v2(
            "nullable-utf8-output",
            "payload-encoding",
            "    output: {encoding: utf8, description: The display name.}",
            "    output: {encoding: utf8, nullable: true, description: The display name.}",
        ),
        _v2(
            "empty-output-empty-is-none",
            "payload-encoding",
            _CLOSE_OUTPUT,
            _CLOSE_OUTPUT.replace("encoding: empty,", "encoding: empty, empty_is_none: true,"),
        ),
        _v2(
            "fallback-carries-data",
            "fallback-variant",
            "      - {name: Usage, rename: usage, value: Usage,",
            "      - {name: Usage, rename: usage, other: true, value: Usage,",
        ),
        _v2(
            "two-fallbacks",
            "fallback-variant",
            "      - {name: UnknownTransient, rename: unknown_transient,",
            "      - {name: UnknownTransient, rename: unknown_transient, other: true,",
        ),
        _v2(
            "fallback-in-untagged-enum",
            "fallback-variant",
            "      - {name: One, description: A single value., value: string}",
            "      - {name: None1, other: true, description: x}\n"
            "      - {name: One, description: A single value., value: string}",
        ),
        _v2(
            "fallback-false",
            "fallback-variant",
            _FALLBACK,
            _FALLBACK.replace("other: true", "other: false"),
        ),
        _v2(
            "min-items-on-a-string",
            "min-items",
            "      - {name: One, description: A single value., value: string}",
            "      - {name: One, description: A single value., value: string, min_items: 1}",
        ),
        _v2("min-items-zero", "min-items", _MANY, _MANY.replace("min_items: 1", "min_items: 0")),
        _v2(
            "reserved-name-without-target-name",
            "target-name",
            _TARGET_NAMES,
            "",
            line=line_of("  PluginError:\n", V2_SPEC_TEXT),
        ),
        _v2(
            "target-name-reserved-too",
            "target-name",
            _TARGET_NAMES,
            _TARGET_NAMES.replace("PluginErrorDocument", "PluginLoadError"),
        ),
        _v2(
            "target-name-of-another-type",
            "target-name",
            _TARGET_NAMES,
            _TARGET_NAMES.replace("PluginErrorDocument", "LLMErrorPayload"),
        ),
        _v2(
            "target-name-unknown-target",
            "target-name",
            _TARGET_NAMES,
            _TARGET_NAMES.replace("python:", "go:"),
        ),
        _v2(
            "new-field-required",
            "dialect-field",
            _KIND_FIELD,
            _KIND_FIELD.replace(
                "{since: 0.6.0, name: kind,", "{since: 0.6.0, required: true, name: kind,"
            ),
        ),
        _v2(
            "new-export-required",
            "new-export",
            _CLASSIFY,
            _CLASSIFY.replace("optional: true", "optional: false"),
        ),
        _v2(
            "status-classified-twice",
            "classifier",
            _RULE_5XX,
            _RULE_5XX.replace("408, 425", "408, 429"),
        ),
        _v2("status-range-empty", "classifier", _RULE_5XX, _RULE_5XX.replace("500-599", "599-500")),
        _v2("status-out-of-range", "classifier", _RULE_429, _RULE_429.replace("429", "42")),
        _v2(
            "catch-all-not-last",
            "classifier",
            _RULE_429,
            "      - {result: {type: cancelled}}\n" + _RULE_429,
        ),
        _v2(
            "no-catch-all",
            "classifier",
            "      - {result: {type: provider_error, kind: unknown_permanent}}\n",
            "",
            line=line_of("    rules:\n      - {status: [499]", V2_SPEC_TEXT) + 1,
        ),
        _v2(
            "result-not-the-type",
            "classifier",
            _RULE_429,
            _RULE_429.replace("kind: rate_limited", "kind: 7"),
        ),
    ]
    names = [m.name for m in corpus]
    assert len(names) == len(set(names)), "mutant names must be unique"
    return corpus
