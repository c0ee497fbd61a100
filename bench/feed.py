"""One batch through the upload service to the Celery workers; waits for the run, prints JSON.

    python -m bench.feed PATH --queue QUEUE

Registers every file under PATH as ONE batch (``ingest_batch_create``, as an upload or a folder
does), queues it with ``ingest_run_dispatch`` on QUEUE and polls the run until it is no longer
active. The workers must already consume QUEUE (CELERY_BROKER_URL, DATABASE_URL).

``t_batch`` is the batch's time as a user waits for it: from the start of registration to the
run's ``finished_at`` as the worker stored it (same clock), so the polling interval does not
count and the poller, which shares the cores with the workers, can poll slowly. Django's set-up,
the URL configuration and the broker connection are ready before the clock starts, as in a
running web process.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POLL_SECONDS = 0.25


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("path")
    ap.add_argument("--queue", required=True)
    ap.add_argument("--format", default="")
    args = ap.parse_args()
    t0 = time.perf_counter()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.settings")
    import django

    django.setup()
    from django.urls import get_resolver

    from discovery.engine.pipeline import iter_input_files
    from discovery.services import ingest_batch_create, ingest_run_dispatch
    from sightline.celery import app

    app.conf.task_default_queue = args.queue
    # The upload service runs in the web process, whose URLs are loaded by its first request;
    # queueing a run links to its page, which here would import every app's views on the clock.
    get_resolver().url_patterns  # noqa: B018
    # Its broker connection is open too, kept in the producer pool after its first task sent
    # (opening it here on the clock cost ~0.13 s).
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection()
    t_setup = time.perf_counter()
    start = time.time()
    files = list(iter_input_files(args.path))
    batch = ingest_batch_create(files=[(f, str(f)) for f in files], actor="bench", fmt=args.format)
    run = batch.run
    ingest_run_dispatch(run_id=run.pk)
    t_queued = time.perf_counter()
    while True:
        run.refresh_from_db()
        if not run.is_active:
            break
        time.sleep(POLL_SECONDS)
    out = {
        "run": run.pk,
        "status": run.status,
        "error": run.error,
        "attention": run.attention,
        "files": len(files),
        "t_setup": t_setup - t0,
        "t_register": t_queued - t_setup,
        "t_batch": run.finished_at.timestamp() - start if run.finished_at else None,
    }
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
