"""Writes for discovery: every change to governed rows is atomic and audited.

The ingest API is exported here; callers import it from `discovery.services`.
"""

from discovery.services.parts import ingest_part_write, ingest_parts_take
from discovery.services.runs import (
    Batch,
    ingest_batch_create,
    ingest_chunk_process,
    ingest_chunk_run,
    ingest_run_create,
    ingest_run_dispatch,
    ingest_run_execute,
    ingest_run_fail,
    ingest_run_finalise,
    ingest_run_hash,
    ingest_run_plan,
    ingest_run_retry,
)

__all__ = [
    "Batch",
    "ingest_batch_create",
    "ingest_chunk_process",
    "ingest_chunk_run",
    "ingest_part_write",
    "ingest_parts_take",
    "ingest_run_create",
    "ingest_run_dispatch",
    "ingest_run_execute",
    "ingest_run_fail",
    "ingest_run_finalise",
    "ingest_run_hash",
    "ingest_run_plan",
    "ingest_run_retry",
]
