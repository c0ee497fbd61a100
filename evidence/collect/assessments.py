"""Approved assessments, vendor checklists and evidence files (lane AS models), read-only."""

from evidence.collect.base import PackData


def collect(data: PackData) -> None:
    try:
        from assessments import models as am  # noqa: F401
    except ImportError:
        am = None
    if am is None or not hasattr(am, "Assessment"):
        data.notes["assessments"] = (
            "The assessments app has no data model yet: no approved assessments in scope."
        )
        data.notes["checklist"] = "No vendor checklist records exist yet."
        data.notes["evidence"] = "No evidence files have been uploaded."
        return
