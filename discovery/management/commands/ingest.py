"""`manage.py ingest PATH… [--format F] [--source NAME] [--sync]`: register files and ingest them."""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from discovery.engine.pipeline import iter_input_files
from discovery.models import IngestRun, LogSource
from discovery.services import ingest_run_create, ingest_run_dispatch, ingest_run_execute

POLL_SECONDS = 1.0


class Command(BaseCommand):
    help = "Ingest log files or folders (walked recursively). A file already ingested adds nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--format", default="", help="Override format detection.")
        parser.add_argument("--source", default="", help="Name of a log source.")
        parser.add_argument(
            "--sync", action="store_true", help="Process here instead of in Celery."
        )
        parser.add_argument("--no-wait", action="store_true", help="Queue and return at once.")

    def handle(self, *args, paths, format, source, sync, no_wait, **options):
        log_source = None
        if source:
            log_source = LogSource.objects.filter(name=source).first()
            if log_source is None:
                raise CommandError(f"No log source named {source!r}.")
        files = []
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                raise CommandError(f"{path} does not exist.")
            files.extend(iter_input_files(path))
        if not files:
            raise CommandError("No files to ingest.")
        runs: list[IngestRun] = []
        rejected = 0
        for path in files:
            try:
                run, created = ingest_run_create(
                    path=path, actor="manage.py ingest", source=log_source, fmt=format
                )
            except ValidationError as exc:
                self.stderr.write(f"{path}: {' '.join(exc.messages)}")
                rejected += 1
                continue
            if not created and run.status == IngestRun.Status.DONE:
                self.stdout.write(f"{path}: already ingested as run #{run.pk}; nothing added.")
                continue
            runs.append(run)
            if not sync and created:
                ingest_run_dispatch(run_id=run.pk)
        for run in runs:
            self._follow(run, sync=sync, wait=not no_wait)
        failed = [
            r for r in runs if IngestRun.objects.get(pk=r.pk).status == IngestRun.Status.FAILED
        ]
        if failed:
            raise CommandError(
                f"{len(failed)} run(s) failed: " + ", ".join(f"#{r.pk}" for r in failed)
            )
        if rejected:
            raise CommandError(f"{rejected} file(s) could not be ingested (see above).")

    def _follow(self, run: IngestRun, *, sync: bool, wait: bool) -> None:
        bar = tqdm(
            total=run.size,
            unit="B",
            unit_scale=True,
            desc=f"#{run.pk} {run.file_name}"[:40],
            file=self.stderr._out,
            disable=not wait,
        )

        def show(current: IngestRun) -> None:
            bar.update(max(0, current.bytes_done - bar.n))

        if sync:
            run = ingest_run_execute(run_id=run.pk, progress=show)
        elif wait:
            while True:
                run.refresh_from_db()
                show(run)
                if not run.is_active:
                    break
                time.sleep(POLL_SECONDS)
        else:
            self.stdout.write(f"Queued run #{run.pk} ({run.file_name}).")
            return
        show(run)
        bar.close()
        if run.status == IngestRun.Status.DONE:
            self.stdout.write(
                f"Run #{run.pk} {run.file_name}: {run.lines_read} lines, {run.lines_matched} matched, "
                f"{run.lines_skipped} skipped, {run.findings_count} findings "
                f"({run.duration_seconds or 0:.1f} s)."
            )
        else:
            self.stderr.write(f"Run #{run.pk} {run.file_name}: {run.status}. {run.error}")
