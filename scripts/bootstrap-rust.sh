#!/usr/bin/env bash
# Installs the Rust -> wasm toolchain the examples build with: Debian's rustc/cargo/rustfmt, binaryen,
# the wasm32 standard library and the packaged crates the generated crate depends on.
# Idempotent: does nothing (quickly) when everything is present.
set -euo pipefail

PACKAGES=(
    rustc cargo rustfmt libstd-rust-dev-wasm32
    librust-serde-dev librust-serde-derive-dev librust-serde-json-dev librust-http-dev
    binaryen
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
    echo "bootstrap-rust: missing packages: ${missing[*]}" >&2
    echo "bootstrap-rust: run as root: $cmd" >&2
    exit 1
fi

echo "bootstrap-rust: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
