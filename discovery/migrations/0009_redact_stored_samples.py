"""Sample lines stored before redaction existed lose their secrets too (runs, chunk results, findings)."""

from django.db import migrations

from discovery.engine.redaction import redact_line, redact_samples


def _redact_possible(results: dict) -> bool:
    changed = False
    for hit in results.get("possible_ai") or []:
        if hit.get("samples"):
            hit["samples"] = [redact_line(s) for s in hit["samples"]]
            changed = True
    return changed


def redact(apps, schema_editor):
    IngestRun = apps.get_model("discovery", "IngestRun")
    IngestChunk = apps.get_model("discovery", "IngestChunk")
    Finding = apps.get_model("discovery", "Finding")
    for run in IngestRun.objects.exclude(skip_samples={}).only("pk", "skip_samples").iterator():
        run.skip_samples = redact_samples(run.skip_samples)
        run.save(update_fields=["skip_samples"])
    for chunk in IngestChunk.objects.exclude(results={}).only("pk", "results").iterator():
        results = chunk.results
        if results.get("skip_samples"):
            results["skip_samples"] = redact_samples(results["skip_samples"])
        _redact_possible(results)
        chunk.save(update_fields=["results"])
    for finding in Finding.objects.only("pk", "evidence").iterator():
        lines = (finding.evidence or {}).get("sample_lines")
        if lines:
            finding.evidence["sample_lines"] = [
                redact_line(s) if isinstance(s, str) else s for s in lines
            ]
            finding.save(update_fields=["evidence"])


class Migration(migrations.Migration):
    dependencies = [("discovery", "0008_drop_rollup_totals_index")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
