"""`manage.py ingest PATH… [--format F] [--source NAME] [--sync]`: every file given (folders walked
recursively, a .zip unpacked) is ONE ingest batch: one run, one progress bar, rules once."""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from discovery.engine.pipeline import iter_input_files
from discovery.models import IngestRun, LogSource
from discovery.services import ingest_batch_create, ingest_run_dispatch, ingest_run_execute

POLL_SECONDS = 1.0


class Command(BaseCommand):
    help = (
        "Ingest log files or folders (walked recursively) as one batch. Content already "
        "ingested in the same format adds nothing; a log that grew counts only its new lines. "
        "Exits non-zero when a file could not be read or was mostly not understood."
    )
    requires_system_checks = []  # a data command: the checks cost ~1.5 s on every call

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
        files: list[Path] = []
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                raise CommandError(f"{path} does not exist.")
            files.extend(iter_input_files(path))
        if not files:
            raise CommandError("No files to ingest.")
        label = paths[0] if len(paths) == 1 and Path(paths[0]).is_dir() else ""
        try:
            batch = ingest_batch_create(
                files=[(f, str(f)) for f in files],
                actor="manage.py ingest",
                source=log_source,
                fmt=format,
                label=Path(label).name if label else "",
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message if len(files) > 1 else f"{files[0]}: {message}")
            raise CommandError(f"{len(files)} file(s) could not be ingested (see above).") from exc
        for name, run_id in batch.duplicates:
            self.stdout.write(f"{name}: already ingested as run #{run_id}; nothing added.")
        for name, message in batch.refused:
            self.stderr.write(f"{name}: {message}")
        run = batch.run
        if batch.created:
            if not sync:
                ingest_run_dispatch(run_id=run.pk)
        elif run.status in IngestRun.FINISHED:
            if not batch.duplicates:
                self.stdout.write(f"Already ingested as run #{run.pk}; nothing added.")
            run = None
        if run is not None:
            run = self._follow(run, sync=sync, wait=not no_wait)
        if run is not None and run.status == IngestRun.Status.FAILED:
            raise CommandError(f"Run #{run.pk} failed: {run.error}")
        if run is not None and run.status == IngestRun.Status.NEEDS_ATTENTION:
            raise CommandError(f"Run #{run.pk} needs attention:\n{run.attention}")
        if batch.refused:
            raise CommandError(f"{len(batch.refused)} file(s) could not be ingested (see above).")

    def _follow(self, run: IngestRun, *, sync: bool, wait: bool) -> IngestRun | None:
        bar = tqdm(
            total=run.bytes_total or run.size,
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
            self.stdout.write(f"Queued run #{run.pk} ({run.file_name}, {run.files_total} file(s)).")
            return None
        show(run)
        bar.close()
        if run.status in IngestRun.FINISHED:
            self.stdout.write(
                f"Run #{run.pk} {run.file_name}: {run.files_total} file(s), {run.lines_read} lines, "
                f"{run.lines_matched} matched, {run.lines_skipped} skipped, "
                f"{run.findings_count} findings ({run.duration_seconds or 0:.1f} s)."
            )
            for f in run.files.order_by("index"):
                if run.files_total > 1 or f.status != "done":
                    self.stdout.write(
                        f"  {f.file_name}: {f.get_status_display()} · {f.format or '-'} · "
                        f"{f.lines_parsed} parsed, {f.lines_skipped} skipped"
                        + (f" · counted from byte {f.offset}" if f.offset else "")
                        + (f" · {f.message}" if f.message else "")
                    )
        else:
            self.stderr.write(f"Run #{run.pk} {run.file_name}: {run.status}. {run.error}")
        return run
