#!/usr/bin/env bash
# Start a Celery worker (with beat) beside the dev server; stop it when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var/log
.venv/bin/celery -A sightline worker --beat --loglevel=INFO --concurrency=2 \
  --schedule var/celerybeat-schedule >var/log/celery.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
$PY manage.py demo_logins
echo "Celery worker log: var/log/celery.log"
$PY manage.py runserver 127.0.0.1:8000
