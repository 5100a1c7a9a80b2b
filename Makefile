# wakeful: developer and CI entry points. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=
PYTEST_ARGS ?=

# Debian packages the tests need: a PostgreSQL server (the fixtures start their own on a loopback port) and
# Chromium with its WebDriver (browser tests).
PG_INITDB_GLOB := /usr/lib/postgresql/*/bin/initdb

.PHONY: help venv lock demo system-deps test lint typecheck bench clean distclean

help:
	@echo "make venv          create $(VENV) and install wakeful with [dev] extras at constraints.txt's versions"
	@echo "make lock          rewrite constraints.txt from a fresh venv at the newest releases (then make test)"
	@echo "make demo          run the demo: SQLite DB, server at http://127.0.0.1:8000, scenario replay (ARGS=--real)"
	@echo "make system-deps   apt-get install PostgreSQL and Chromium + chromedriver if missing (root or sudo)"
	@echo "make test          system-deps + venv, then ruff, mypy and pytest (PYTEST_ARGS='-k foo')"
	@echo "make lint          ruff and mypy only"
	@echo "make bench         run the benchmarks"
	@echo "make clean         remove caches and build output (distclean also removes $(VENV))"

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@if [ ! -x $(BIN)/python ]; then \
		test -n "$(PYTHON)" || { echo "error: no python3.11 or python3 on PATH" >&2; exit 1; }; \
		echo "$(PYTHON) -m venv $(VENV)"; \
		$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
			echo "error: could not create $(VENV) (on Debian: apt-get install python3-venv)" >&2; exit 1; }; \
	fi
	$(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# A throwaway venv resolves pyproject.toml's ranges afresh; its versions become the pins.
lock:
	@test -n "$(PYTHON)" || { echo "error: no python3.11 or python3 on PATH" >&2; exit 1; }
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	{ sed -n '1,2p' constraints.txt; .lock-venv/bin/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .lock-venv

demo: venv
	$(BIN)/wakeful demo $(ARGS)

system-deps:
	@set -euo pipefail; \
	pkgs=""; \
	ls $(PG_INITDB_GLOB) >/dev/null 2>&1 || pkgs="$$pkgs postgresql"; \
	[ -x /usr/bin/chromium ] || pkgs="$$pkgs chromium"; \
	[ -x /usr/bin/chromedriver ] || pkgs="$$pkgs chromium-driver"; \
	if [ -z "$$pkgs" ]; then echo "system-deps: PostgreSQL and Chromium are installed"; exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
		echo "system-deps: WARNING: missing$$pkgs and no apt-get here; install them by hand" >&2; exit 0; fi; \
	sudo=""; \
	if [ "$$(id -u)" -ne 0 ]; then \
		if command -v sudo >/dev/null; then sudo="sudo"; \
		else echo "system-deps: missing$$pkgs; need root or sudo to install them" >&2; exit 1; fi; \
	fi; \
	echo "system-deps: installing$$pkgs"; \
	set -x; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$pkgs

test: system-deps venv
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/wakeful eval --section analysis --check
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check src tests
	$(BIN)/mypy

typecheck: venv
	$(BIN)/mypy

bench: venv
	@if [ -f benchmarks/__main__.py ]; then set -x; $(BIN)/python -m benchmarks $(ARGS); \
	elif [ -f benchmarks/run.py ]; then set -x; $(BIN)/python benchmarks/run.py $(ARGS); \
	else echo "bench: no benchmarks/__main__.py or benchmarks/run.py yet" >&2; exit 1; fi

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
