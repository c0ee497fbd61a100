#!/usr/bin/env bash
# make loadtest: gunicorn (DEBUG off) + PostgreSQL on loopback, seeded, 20 clients x 60 s, report.
# One sync worker per core: the pages are CPU-bound and share the cores with PostgreSQL and the
# load generator; more workers only time-slice them (on 2 cores, overall p95 113 ms with 2 workers
# and 135 ms with 4).
# Overrides (for a smoke run): LOADTEST_DB, LOADTEST_PORT, LOADTEST_BROKER_URL, LOADTEST_WORKERS,
# LOADTEST_CLIENTS, LOADTEST_SECONDS, LOADTEST_REPORT, LOADTEST_THINK (mean pause, s); seed size: LOADTEST_SYSTEMS,
# LOADTEST_ROLLUPS, LOADTEST_CLASSIFIED (the systems the system-detail requests draw from).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LOADTEST_PORT:-8765}
DB=${LOADTEST_DB:-sl_rs_load}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export CELERY_BROKER_URL="${LOADTEST_BROKER_URL:-redis://127.0.0.1:6379/7}"
export SIGHTLINE_STORAGE_DIR="$PWD/var/loadtest-storage"
export LOADTEST_PASSWORD="load-test-Password-1"
mkdir -p var
pg_isready -h 127.0.0.1 -q || { echo "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres "$DB"
DEBUG=1 .venv/bin/python manage.py migrate --noinput -v0
DEBUG=1 .venv/bin/python loadtest/seed.py

read -r FIRST LAST ASSESSMENTS < <(DEBUG=1 .venv/bin/python manage.py shell -c "
from inventory.models import AISystem; from assessments.models import Assessment
ids = AISystem.objects.filter(classification_results__isnull=False).distinct().order_by('pk').values_list('pk', flat=True)
print(ids.first(), ids.last(), ','.join(str(a) for a in Assessment.objects.order_by('pk').values_list('pk', flat=True)[:20]))" 2>/dev/null | tail -1)

export DEBUG=0 SECRET_KEY="loadtest-$(date +%s%N)-not-a-real-secret-key-0123456789abcdef" \
  ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 AXES_FAILURE_LIMIT=1000
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn sightline.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers "${LOADTEST_WORKERS:-$(nproc)}" --threads 1 --log-level warning \
  --access-logfile /dev/null --error-logfile var/loadtest-gunicorn.log &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/login/" && break; sleep 0.2; done

.venv/bin/python loadtest/client.py --base "http://127.0.0.1:$PORT" \
  --clients "${LOADTEST_CLIENTS:-20}" --seconds "${LOADTEST_SECONDS:-60}" \
  --password "$LOADTEST_PASSWORD" --first-system "$FIRST" --last-system "$LAST" \
  --assessments "$ASSESSMENTS" --report "${LOADTEST_REPORT:-var/loadtest-report.md}" \
  --think "${LOADTEST_THINK:-1.0}"
