"""CSV/XLSX import (streamed, capped) and export of the inventory: all rows valid, or nothing is written."""

import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.audit import audit_record
from core.csvio import csv_bytes, neutralise, unneutralise
from core.ids import parse_id
from core.tabular import MAX_CELL_CHARS, TableError, excerpt, read_table
from inventory.forms import AISystemForm
from inventory.models import AISystem, Vendor
from inventory.services import ai_system_create, ai_system_update

LIST_COLUMNS = [
    "models_used",
    "roles",
    "jurisdictions",
    "domains",
    "capabilities",
    "data_categories",
    "tags",
    "purposes",
    "model_allowlist",
    "gateway_aliases",
    "teams_using",
    "data_regions",
]
BOOL_COLUMNS = ["human_review", "consumer_facing", "interacts_with_persons", "profiling",
                "basic_software", "art6_3_claim"]  # fmt: skip
# The facts the law turns on (issue 14); appended so older files keep their column order.
FACT_BOOL_COLUMNS = [
    "art6_3_narrow_procedural", "art6_3_improves_human_activity", "art6_3_detects_patterns",
    "art6_3_preparatory", "art25_own_name", "art25_substantial_modification",
    "art25_repurposed_high_risk", "open_source", "significant_design_change",
    "systematic_observation", "insurer_regulated_use", "hipaa_covered_use",
    "federally_approved_use", "regulated_creditor_notice", "ferpa_process",
    "informational_chatbot_excluded",
]  # fmt: skip
DATE_COLUMNS = ["placed_on_market_on", "use_started_on"]
# Observed use (issue 18): what gateway logs and traces are compared with; appended likewise.
OBSERVED_COLUMNS = ["model_allowlist", "gateway_aliases", "teams_using", "data_regions",
                    "expected_users"]  # fmt: skip
COLUMNS = [
    "id", "name", "description", "owner", "team", "vendor", "model_type", "models_used", "training_flops",
    "lifecycle", "sanction_status", "origin", "provenance", "roles", "decision_role", "jurisdictions",
    "domains", "capabilities", *BOOL_COLUMNS, "data_categories", "first_seen", "last_seen", "tags",
    "purposes", "employment_decision_kind", *DATE_COLUMNS, *FACT_BOOL_COLUMNS, *OBSERVED_COLUMNS,
]  # fmt: skip
# Export-only: the risk tier is computed by classification, never imported.
IGNORED_COLUMNS = {"created_at", "updated_at", "risk_tier"}
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
TRUE, FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0", ""}


EXPORT_COLUMNS = [*COLUMNS, "risk_tier", "updated_at"]


def export_records(systems: QuerySet[AISystem]) -> list[dict[str, Any]]:
    """One row per system in import-compatible columns; lists are comma-joined, formulas neutralised."""
    rows = systems.values(
        *[c for c in COLUMNS if c not in ("owner", "vendor")],
        "owner__username",
        "vendor__name",
        "risk_tier",
        "updated_at",
    )
    records = []
    for row in rows.iterator(chunk_size=2000):
        row["owner"] = row.pop("owner__username") or ""
        row["vendor"] = row.pop("vendor__name") or ""
        for col in LIST_COLUMNS:
            row[col] = ", ".join(row[col] or [])
        for col in ("first_seen", "last_seen", "updated_at", *DATE_COLUMNS):
            row[col] = row[col].isoformat() if row[col] else ""
        row["training_flops"] = "" if row["training_flops"] is None else row["training_flops"]
        row["expected_users"] = "" if row["expected_users"] is None else row["expected_users"]
        records.append({k: neutralise(v) for k, v in row.items()})
    return records


def export_bytes(systems: QuerySet[AISystem], fmt: str) -> bytes:
    records = export_records(systems)
    if fmt != "xlsx":
        rows = ([r[c] for c in EXPORT_COLUMNS] for r in records)
        return csv_bytes(EXPORT_COLUMNS, rows, bom=True, lineterminator="\n")
    frame = pd.DataFrame.from_records(records, columns=EXPORT_COLUMNS)
    # A workbook cannot hold control characters: drop them rather than fail.
    frame = frame.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="AI systems", engine="openpyxl")
    return buffer.getvalue()


@dataclass
class RowError:
    row: int  # spreadsheet row number (header is row 1)
    name: str
    messages: list[str]


@dataclass
class ImportResult:
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors


def _form_data(row: dict[str, str], instance: AISystem, lookups: dict) -> tuple[dict, list[str]]:
    """Overlay the row on the instance's current values so an update may name only some columns."""
    data: dict[str, Any] = {
        k: v for k, v in model_to_dict(instance).items() if k in AISystemForm.base_fields
    }
    for key in ("first_seen", "last_seen", *DATE_COLUMNS):
        data[key] = data[key].isoformat() if data.get(key) else ""
    problems = []
    for col, raw in row.items():
        if col in ("id", *IGNORED_COLUMNS):
            continue
        value = unneutralise(str(raw).strip())
        if col == "owner":
            data["owner"] = lookups["users"].get(value.lower()) if value else None
            if value and data["owner"] is None:
                problems.append(f"owner: no user named '{excerpt(value)}'.")
        elif col == "vendor":
            data["vendor"] = lookups["vendors"].get(value.lower()) if value else None
            if value and data["vendor"] is None:
                problems.append(
                    f"vendor: no vendor named '{excerpt(value)}' (add it under Vendors first)."
                )
        elif col in BOOL_COLUMNS or col in FACT_BOOL_COLUMNS:
            if value.lower() not in TRUE | FALSE:
                problems.append(f"{col}: '{excerpt(value)}' is not yes/no.")
            data[col] = value.lower() in TRUE
        else:
            data[col] = value
    for key, value in list(data.items()):
        if isinstance(value, bool):
            data[key] = "true" if value else "false"  # CheckboxInput reads these strings
        elif value is None:
            data[key] = ""
    return data, problems


def import_systems(*, actor, content: bytes, filename: str) -> ImportResult:
    """Validate every row with the edit form's rules first; write only if all pass, in one transaction."""
    result = ImportResult()
    if len(content) > MAX_IMPORT_BYTES:
        result.file_errors.append(
            f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB."
        )
        return result
    try:
        columns, records = read_table(
            content, filename, max_rows=MAX_IMPORT_ROWS, max_cell=MAX_CELL_CHARS
        )
    except TableError as err:
        result.file_errors.append(str(err))
        return result
    unknown = sorted(set(columns) - set(COLUMNS) - IGNORED_COLUMNS)
    if unknown:
        result.file_errors.append(
            f"Unknown column(s): {', '.join(excerpt(c) for c in unknown[:10])}. "
            f"Expected: {', '.join(COLUMNS)}."
        )
    if "name" not in columns:
        result.file_errors.append("The file needs a 'name' column.")
    if not records:
        result.file_errors.append("The file has no data rows.")
    if result.file_errors:
        return result

    lookups = {
        "users": {
            u.username.lower(): u.pk for u in get_user_model().objects.only("pk", "username")
        },
        "vendors": {v.name.lower(): v.pk for v in Vendor.objects.only("pk", "name")},
    }
    ids = {parse_id(r.get("id", "")) for r in records} - {None}
    existing = AISystem.objects.in_bulk(ids)
    planned: list[tuple[AISystem | None, dict]] = []
    result.rows = len(records)
    for index, row in enumerate(records):
        number, raw_id = index + 2, str(row.get("id", "")).strip()
        instance: AISystem | None = None
        problems: list[str] = []
        if raw_id:
            instance = existing.get(parse_id(raw_id))
            if instance is None:
                problems.append(
                    f"id: no system with id '{excerpt(raw_id)}' (leave id empty to create one)."
                )
        data, more = _form_data(row, instance or AISystem(), lookups)
        form = AISystemForm(
            data, instance=AISystem.objects.get(pk=instance.pk) if instance else None
        )
        problems += more
        if not form.is_valid():
            for name, errors in form.errors.items():
                label = "row" if name == "__all__" else name
                problems += [f"{label}: {message}" for message in errors]
        if problems:
            result.row_errors.append(RowError(number, excerpt(row.get("name", "")), problems))
        else:
            planned.append((instance, form.cleaned_data))
    if result.row_errors:
        return result

    with transaction.atomic():
        for instance, data in planned:
            if instance is None:
                ai_system_create(actor=actor, data=data)
                result.created += 1
            else:
                ai_system_update(actor=actor, system=instance, data=data)
                result.updated += 1
        audit_record(
            actor=actor,
            action="system.import",
            target_type="inventory.aisystem",
            target_repr=filename[:300],
            changes={"created": [None, result.created], "updated": [None, result.updated]},
        )
    return result
