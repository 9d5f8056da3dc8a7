# Every target sets up what it needs: a fresh clone runs `make generate` or `make test` directly.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: generate check test lint examples bootstrap-rust bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

generate: $(STAMP) bootstrap-rust
	$(VENV)/bin/qmt-abigen generate

check: $(STAMP) bootstrap-rust
	$(VENV)/bin/qmt-abigen generate --check

bootstrap-rust:
	bash scripts/bootstrap-rust.sh

examples: $(STAMP) bootstrap-rust
	bash scripts/build-examples.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check generator tests bench generated/python
	$(VENV)/bin/black --quiet --check generator tests bench generated/python
	$(VENV)/bin/mypy --strict generator bench generated/python

test: $(STAMP) examples check lint
	$(VENV)/bin/python -m pytest

bench: $(STAMP) examples
	$(VENV)/bin/python -m bench

clean:
	rm -rf build
