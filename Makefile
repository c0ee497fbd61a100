PY := .venv/bin/python
PIP := .venv/bin/pip
MANAGE := $(PY) manage.py
export DEBUG ?= 1

.PHONY: run setup test lint format bench loadtest clean

.venv/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

venv: .venv/.installed

setup: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) ensure_signing_key
	$(MANAGE) load_content
	$(MANAGE) seed_demo

run: setup
	bash scripts/run.sh

test: venv
	$(PY) -m pytest

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: venv
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

# Discovery benchmark P1-P4 (BENCH_SCALE=0.05 for a quick run; DATABASE_URL overrides sl_bench).
bench: venv
	$(PY) -m bench.run

clean:
	rm -rf var .pytest_cache
