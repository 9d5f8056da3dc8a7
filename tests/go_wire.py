"""A native Go checker for one spec's generated Go module, beside serde's (tests/serde_wire.py).

`build_checker(spec)` writes a small Go program from the spec (one arm per declared type, type
parameters instantiated with the module's `Value`, as serde's checker uses
`serde_json::Value`), builds it for the host (not wasm) against `generated/go/<slug>`, offline,
and returns the binary. `run_checker(binary, cases)` feeds it `(type name, document bytes)`
pairs, the document hex-encoded so that any bytes (invalid UTF-8 too) cross: each is decoded
as the type and, if the Go codecs accept it, encoded back.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from serde_wire import Verdict

from generator import ir
from generator.gotool import go_binary, go_env
from generator.targets.go import module_path, package_name

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "go-wire"


def checker_source(spec: ir.Spec) -> str:
    pkg = package_name(spec)
    arms = []
    for type_def in spec.types:
        params = type_def.type_params
        if params:
            decode = f"q.Decode{type_def.name}({', '.join('q.DecodeJSON' for _ in params)})"
            encode = f"q.Encode{type_def.name}({', '.join('q.EncodeJSON' for _ in params)})"
        else:
            decode, encode = f"q.Decode{type_def.name}", f"q.Encode{type_def.name}"
        arms.append(f'\tcase "{type_def.name}":\n\t\treturn check(document, {decode}, {encode})')
    return (
        "// Written by tests/go_wire.py from the spec; not committed.\n"
        "package main\n\n"
        'import (\n\t"bufio"\n\t"encoding/hex"\n\t"fmt"\n\t"os"\n\t"strings"\n\n'
        f'\tq "{module_path(spec)}"\n)\n\n'
        f"var _ = q.Parse // package {pkg}\n\n"
        "func check[T any](document []byte, d q.Decoder[T], e q.Encoder[T]) string {\n"
        "\tx, err := q.Unmarshal(document, d)\n"
        "\tif err != nil {\n"
        '\t\treturn "err\\t" + strings.ReplaceAll(err.Error(), "\\n", " ")\n'
        "\t}\n"
        "\tout, err := q.Marshal(x, e)\n"
        "\tif err != nil {\n"
        '\t\treturn "encode-err\\t" + err.Error()\n'
        "\t}\n"
        '\treturn "ok\\t" + string(out)\n'
        "}\n\n"
        "func verdict(name string, document []byte) string {\n"
        "\tswitch name {\n" + "\n".join(arms) + "\n\t}\n"
        '\treturn "unknown\\t" + name\n'
        "}\n\n"
        "func main() {\n"
        "\tin := bufio.NewScanner(os.Stdin)\n"
        "\tin.Buffer(make([]byte, 1<<20), 1<<26)\n"
        "\tout := bufio.NewWriter(os.Stdout)\n"
        "\tdefer out.Flush()\n"
        "\tfor in.Scan() {\n"
        '\t\tname, doc, _ := strings.Cut(in.Text(), "\\t")\n'
        "\t\tdocument, err := hex.DecodeString(doc)\n"
        "\t\tif err != nil {\n"
        "\t\t\tpanic(err)\n"
        "\t\t}\n"
        "\t\tfmt.Fprintln(out, verdict(name, document))\n"
        "\t}\n"
        "}\n"
    )


def build_checker(spec: ir.Spec) -> Path:
    """The checker binary for `spec`; fails the calling test if `go build` fails."""
    folder = BUILD / spec.slug
    folder.mkdir(parents=True, exist_ok=True)
    module = ROOT / "generated" / "go" / spec.slug
    (folder / "go.mod").write_text(
        f"module wirecheck\n\ngo 1.24\n\nrequire {module_path(spec)} v0.0.0\n\n"
        f"replace {module_path(spec)} => {module}\n",
        encoding="utf-8",
    )
    (folder / "main.go").write_text(checker_source(spec), encoding="utf-8")
    binary = folder / "checker"
    result = subprocess.run(
        [go_binary(), "build", "-o", str(binary), "."],
        cwd=folder, env=go_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-6000:]
    return binary


def run_checker(checker: Path, cases: list[tuple[str, bytes]]) -> list[Verdict]:
    """The Go codecs' verdict on each `(type name, document bytes)`, in order."""
    lines = "".join(f"{name}\t{document.hex()}\n" for name, document in cases)
    result = subprocess.run([str(checker)], input=lines, capture_output=True, text=True, check=True)
    # Not splitlines(): a written string may hold U+2028, which it counts as a line break.
    verdicts = [Verdict(*line.split("\t", 1)) for line in result.stdout.split("\n")[:-1]]
    assert len(verdicts) == len(cases), result.stdout
    return verdicts
