#!/usr/bin/env bash
# Start a Celery worker (with beat) beside the dev server; stop it when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
mkdir -p var/log
.venv/bin/celery -A sightline worker --beat --loglevel=INFO --concurrency=2 \
  --schedule var/celerybeat-schedule >var/log/celery.log 2>&1 &
WORKER=$!
stop_worker() {
  if kill -0 "$WORKER" 2>/dev/null; then
    kill -TERM "$WORKER" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$WORKER" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$WORKER" 2>/dev/null || true
  fi
  wait "$WORKER" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT TERM
PORT="$PORT" $PY manage.py demo_logins
echo "Celery worker (pid $WORKER) log: var/log/celery.log"
$PY manage.py runserver "127.0.0.1:$PORT"
