"""Role-matrix rows: who gets which status for one request."""

from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "norole",
    "compliance_officer",
    "procurement",
    "auditor",
    "admin",
    "requester",
)
# A Requester may only file AI-use requests: where a row names no "requester", they get what a
# signed-in user without a role gets.
READ = {"anonymous": 302, "norole": 403, "compliance_officer": 200, "procurement": 200, "auditor": 200, "admin": 200}  # fmt: skip
API_READ = {"anonymous": 403, "norole": 403, "compliance_officer": 200, "procurement": 200, "auditor": 200, "admin": 200}  # fmt: skip


@dataclass
class Row:
    """`route` is the URL pattern's name (namespaced); `kwargs` may be a callable(ctx) for objects made by `setup`."""

    route: str
    expect: dict[str, int]
    method: str = "get"
    kwargs: object = field(default_factory=dict)
    data: object = None
    setup: object = None  # callable(db users dict) -> ctx dict, run once per case
    content_type: str | None = None
    query: str = ""


def expect(base: dict[str, int], **overrides: int) -> dict[str, int]:
    merged = dict(base)
    merged.update(overrides)
    return merged
