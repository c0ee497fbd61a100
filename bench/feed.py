"""One batch through the upload service to the Celery workers; waits for the run, prints JSON.

    python -m bench.feed PATH --queue QUEUE

Registers every file under PATH as ONE batch (``ingest_batch_create``, as an upload or a folder
does), queues it with ``ingest_run_dispatch`` on QUEUE and polls the run every 20 ms until it is
no longer active. The workers must already consume QUEUE (CELERY_BROKER_URL, DATABASE_URL).
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
POLL_SECONDS = 0.02


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
    from discovery.engine.pipeline import iter_input_files
    from discovery.services import ingest_batch_create, ingest_run_dispatch
    from sightline.celery import app

    app.conf.task_default_queue = args.queue
    t_setup = time.perf_counter()
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
    t_end = time.perf_counter()
    out = {
        "run": run.pk,
        "status": run.status,
        "error": run.error,
        "attention": run.attention,
        "files": len(files),
        "t_setup": t_setup - t0,
        "t_register": t_queued - t_setup,
        "t_process": t_end - t_queued,
    }
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
