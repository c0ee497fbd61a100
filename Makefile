PY := .venv/bin/python
PIP := .venv/bin/pip
MANAGE := $(PY) manage.py
# The venv's interpreter: the fastest Python 3.11+ on PATH (see scripts/fastest_python).
PYTHON ?= $(shell scripts/fastest_python)
export DEBUG ?= 1

.PHONY: run setup test lint format bench bench-pack loadtest audit-deps clean

.venv/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

venv: .venv/.installed

setup: venv
	mkdir -p var
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

# Ingest on the user path (manage.py ingest --sync, and 1 vs 2 Celery workers fed by the upload
# service) vs grep/gunzip, fresh PostgreSQL state per run; needs PostgreSQL and Redis.
# BENCH_SCALE=0.05 for a quick run; DATABASE_URL overrides sl_bench, BENCH_BROKER_URL the broker.
bench: venv
	$(PY) -m bench.run
	$(MAKE) bench-pack

# Evidence pack: 200 systems and 500 evidence files in a throwaway DB, one build (target <= 60 s).
bench-pack: venv
	$(PY) bench/pack_bench.py

# Load test: gunicorn + PostgreSQL on loopback, 10k systems, 1M rollups, 20 users (0.5-1.5 s between clicks) x 60 s -> var/loadtest-report.md
loadtest: venv
	bash loadtest/run.sh

# Known-vulnerable pins fail; an unreachable vulnerability service is reported, never hangs CI.
audit-deps: venv
	@mkdir -p var; status=0; \
	timeout 180 .venv/bin/pip-audit --progress-spinner off --skip-editable > var/pip-audit.txt 2>&1 || status=$$?; \
	skipped=$$(grep -c "could not be audited" var/pip-audit.txt || true); \
	if grep -q "Found [0-9]* known vulnerabilit" var/pip-audit.txt; then cat var/pip-audit.txt; exit 1; \
	elif [ $$status -eq 124 ]; then echo "pip-audit: NOT AUDITED - the vulnerability service did not answer within 180 s (not failing CI)"; \
	elif [ $$status -ne 0 ]; then echo "pip-audit: NOT AUDITED - the vulnerability service is unreachable (not failing CI):"; tail -n 2 var/pip-audit.txt; \
	elif [ "$$skipped" -gt 0 ]; then echo "pip-audit: no known vulnerabilities reported, but $$skipped dependencies could NOT be audited (this package index serves no vulnerability data; see var/pip-audit.txt)"; \
	else echo "pip-audit: no known vulnerabilities"; fi

clean:
	rm -rf var .pytest_cache
