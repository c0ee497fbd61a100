#!/usr/bin/env bash
# Start a Celery worker (with beat) beside the dev server; Ctrl-C (or closing the terminal) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
mkdir -p var/log

stop() {  # TERM, then KILL after 10 s; also the autoreloader's child process
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  pkill -TERM -P "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  trap - EXIT INT TERM HUP
  echo "Stopping the web server and the Celery worker..."
  [ -n "${SERVER:-}" ] && stop "$SERVER"
  [ -n "${WORKER:-}" ] && stop "$WORKER"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

.venv/bin/celery -A sightline worker --beat --loglevel=INFO --concurrency=2 \
  --schedule var/celerybeat-schedule >var/log/celery.log 2>&1 &
WORKER=$!
PORT="$PORT" $PY manage.py demo_logins
echo "Celery worker (pid $WORKER) log: var/log/celery.log"
# In the background so that this script's traps run at once on Ctrl-C.
$PY manage.py runserver "127.0.0.1:$PORT" &
SERVER=$!
wait "$SERVER"
