# Every target sets up what it needs: a fresh clone runs `make generate` or `make test` directly.
# System packages come from scripts/bootstrap.sh (as root it installs them; otherwise it prints
# the apt-get line to run): `generate` needs python3's venv module and Debian's rustfmt, `test`
# also the Rust -> wasm toolchain.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: generate check test lint examples bootstrap bootstrap-test bench clean

$(STAMP): pyproject.toml | bootstrap
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

bootstrap:
	bash scripts/bootstrap.sh generate

bootstrap-test:
	bash scripts/bootstrap.sh test

generate: bootstrap $(STAMP)
	$(VENV)/bin/qmt-abigen generate

check: bootstrap $(STAMP)
	$(VENV)/bin/qmt-abigen generate --check

examples: bootstrap-test $(STAMP)
	bash scripts/build-examples.sh

# The runtime package's source (templates/python/runtime) is linted where it lives, and its
# copy in generated/python (which `check` proves byte-identical) with the bindings; mypy checks
# the source in a run of its own (one run cannot hold two packages of one name).
RUNTIME_SRC := templates/python/runtime

lint: $(STAMP)
	$(VENV)/bin/ruff check generator tests bench scripts $(RUNTIME_SRC) generated/python
	$(VENV)/bin/black --quiet --check generator tests bench scripts $(RUNTIME_SRC) generated/python
	$(VENV)/bin/mypy --strict generator bench generated/python
	$(VENV)/bin/mypy --strict --cache-dir build/mypy-runtime $(RUNTIME_SRC)/querymt_extism_runtime

test: bootstrap-test $(STAMP) examples check lint
	$(VENV)/bin/python -m pytest

bench: bootstrap-test $(STAMP) examples
	$(VENV)/bin/python -m bench

clean:
	rm -rf build
