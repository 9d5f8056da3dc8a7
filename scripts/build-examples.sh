#!/usr/bin/env bash
# Builds every example plugin under examples/*/ to a release .wasm in build/examples/<name>.wasm,
# against the generated crates in generated/rust/<abi slug>/, offline, with Debian's Rust toolchain and
# packaged crates. Cargo's state (target dir, config) lives under build/ only.
#
#   scripts/build-examples.sh [NAME...]     # default: every examples/*/Cargo.toml
#
# Environment: RUSTFLAGS (e.g. "-D warnings") is passed to cargo; RUST_TOOLCHAIN_BIN and
# CARGO_REGISTRY_DIR override where Debian's toolchain and crates live.
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
    for manifest in "$ROOT"/examples/*/Cargo.toml; do
        names+=("$(basename "$(dirname "$manifest")")")
    done
fi

for name in "${names[@]}"; do
    dir="$ROOT/examples/$name"
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
