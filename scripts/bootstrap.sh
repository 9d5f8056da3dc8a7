#!/usr/bin/env bash
# Installs the system packages the make targets need, on Debian bookworm (or similar):
#
#   scripts/bootstrap.sh generate   # `make generate`: python3's venv module, Debian's rustfmt
#   scripts/bootstrap.sh test       # `make test`: the above plus the Rust -> wasm toolchain the
#                                   # example plugins build with (rustc, cargo, the wasm32 std,
#                                   # the lld-14 linker, the packaged crates, binaryen)
#
# Idempotent and quick when everything is present. As root it installs what is missing; as
# anyone else it prints the exact command to run and exits 1 before changing anything. After
# installing it checks that the tools really run, so a packaging change fails here with a clear
# message rather than later as a cargo or venv error.
set -euo pipefail

profile=${1:-test}
case "$profile" in
    generate) ;;
    test) ;;
    *) echo "usage: scripts/bootstrap.sh generate|test" >&2; exit 2 ;;
esac

# rustfmt formats the generated Rust, so generation needs Debian's (the pinned 1.5.1).
packages=(rustfmt)
if [[ $profile == test ]]; then
    # lld-14 by name: libstd-rust-dev-wasm32 only recommends it, and rustc's rust-lld is a
    # symlink to it, so without it every wasm link fails with "linker `rust-lld` not found".
    packages+=(
        rustc cargo libstd-rust-dev-wasm32 lld-14
        librust-serde-dev librust-serde-derive-dev librust-serde-json-dev librust-http-dev
        librust-log-dev
        binaryen
    )
fi

missing=()
# Debian's python3 only suggests the venv module; any python3 that has it is fine.
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if command -v dpkg-query >/dev/null; then
    for pkg in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [[ $status == "install ok installed" ]] || missing+=("$pkg")
    done
else
    echo "bootstrap: no dpkg here; make sure these Debian packages' tools are installed: ${packages[*]}" >&2
fi

if [[ ${#missing[@]} -gt 0 ]]; then
    cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
        echo "bootstrap: missing packages: ${missing[*]}" >&2
        echo "bootstrap: run as root: $cmd" >&2
        exit 1
    fi
    echo "bootstrap: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

fail() {
    echo "bootstrap: $1" >&2
    exit 1
}
python3 -c 'import ensurepip, venv' 2>/dev/null \
    || fail "python3 has no working venv module (Debian package python3-venv)"
/usr/bin/rustfmt --version >/dev/null 2>&1 || fail "/usr/bin/rustfmt does not run (Debian package rustfmt)"
if [[ $profile == test ]]; then
    /usr/bin/rustc --print target-list 2>/dev/null | grep -x wasm32-wasi >/dev/null \
        || fail "/usr/bin/rustc does not know wasm32-wasi (Debian package libstd-rust-dev-wasm32)"
    [[ -d $(/usr/bin/rustc --print sysroot)/lib/rustlib/wasm32-wasi/lib ]] \
        || fail "the wasm32-wasi standard library is missing (Debian package libstd-rust-dev-wasm32)"
    # The linker rustc uses for wasm: it must resolve and run, not just exist as a symlink.
    rust_lld=$(dirname "$(readlink -f /usr/bin/rustc)")/rust-lld
    "$rust_lld" -flavor wasm --version >/dev/null 2>&1 \
        || fail "$rust_lld does not run (it should link to lld-14: Debian package lld-14)"
    /usr/bin/wasm-opt --version >/dev/null 2>&1 || fail "/usr/bin/wasm-opt does not run (Debian package binaryen)"
fi
