"""Normalised record types and skip accounting shared by every parser (no Django imports)."""

from __future__ import annotations

import contextlib
import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote

import orjson

MAX_SKIP_SAMPLES = 20
MAX_SAMPLE_CHARS = 500


class SkipReason(enum.StrEnum):
    """Stable reason codes for lines that were read but did not become records."""

    BLANK = "blank"
    DIRECTIVE = "directive"  # header/comment lines (#Fields, #separator, #close ...)
    NOT_EVENT = "not_event"  # valid line of the format that is not a client event (dnsmasq reply)
    MALFORMED = "malformed"  # does not match the format's line shape
    BAD_TIMESTAMP = "bad_timestamp"
    BAD_NUMBER = "bad_number"
    MISSING_HOST = "missing_host"
    NO_HEADER = "no_header"  # data line before any #Fields / #fields header
    FIELD_COUNT = "field_count"  # column count differs from the header
    BAD_JSON = "bad_json"
    NOT_UTF8 = "not_utf8"
    TOO_LONG = "too_long"
    DIGEST_FILE = "digest_file"  # CloudTrail-Digest objects are integrity files, not events
    GZIP_ERROR = "gzip_error"  # truncated or corrupt gzip stream
    GZIP_BOMB = "gzip_bomb"  # decompressed size or ratio above the guard
    NOT_HOSTNAME_LOG = "not_hostname_log"  # a log kind with no destination host (Zeek conn.log)


@dataclass(slots=True)
class Record:
    """One normalised proxy/DNS/flow event (reference section 0)."""

    ts: float  # epoch seconds UTC, microsecond precision
    source_type: str
    host: str
    client_ip: str = ""
    client_port: int | None = None
    user: str = ""
    port: int | None = None
    method: str = ""
    path: str = ""
    status: int | None = None
    bytes_up: int = 0
    bytes_down: int = 0
    action: str = "allowed"
    user_agent: str = ""
    mime: str = ""
    dns_qtype: str = ""
    dns_answers: tuple[str, ...] = ()
    raw_ref: str = ""

    @property
    def dt(self) -> datetime:
        """Aware UTC datetime, built on demand so the hot path stays on floats."""
        return datetime.fromtimestamp(self.ts, tz=UTC)


# CloudTrail event names that run a model on Bedrock.
INVOKE_EVENTS = frozenset(
    {"InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"}
)


@dataclass(slots=True)
class CloudEvent:
    """Compact CloudTrail event carrying only what the LLMjacking rules and rollups need."""

    event_id: str
    ts: float
    event_source: str
    event_name: str
    region: str = ""
    principal: str = ""  # userIdentity.arn, fallback accessKeyId
    arn: str = ""
    access_key_id: str = ""
    identity_type: str = ""
    account_id: str = ""
    source_ip: str = ""
    user_agent: str = ""
    error_code: str = ""
    model_id: str = ""
    bearer_token: bool = False
    params: dict = field(default_factory=dict)  # small subset of requestParameters
    raw_ref: str = ""

    @property
    def dt(self) -> datetime:
        """Aware UTC datetime of the event."""
        return datetime.fromtimestamp(self.ts, tz=UTC)

    def as_dict(self) -> dict:
        """JSON-friendly form for evidence samples."""
        return {
            "event_id": self.event_id,
            "time": self.dt.isoformat(),
            "event_source": self.event_source,
            "event_name": self.event_name,
            "region": self.region,
            "principal": self.principal,
            "access_key_id": self.access_key_id,
            "identity_type": self.identity_type,
            "source_ip": self.source_ip,
            "user_agent": self.user_agent,
            "error_code": self.error_code,
            "model_id": self.model_id,
            "bearer_token": self.bearer_token,
            "params": self.params,
            "raw_ref": self.raw_ref,
        }


@dataclass(slots=True)
class GrantEvent:
    """An OAuth grant or revoke of an app by a user (Workspace token activity, Entra audit)."""

    ts: float
    source: str
    action: str  # "grant" | "revoke"
    app_name: str
    client_id: str
    user: str
    scopes: tuple[str, ...] = ()
    event_id: str = ""
    raw_ref: str = ""


@dataclass(slots=True)
class ModelCall:
    """One model call seen by an AI gateway, a model-invocation log or a GenAI trace span."""

    ts: float
    source: str
    principal: str
    team: str = ""
    key_alias: str = ""
    model: str = ""
    provider_host: str = ""
    region: str = ""
    service: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    request_id: str = ""
    raw_ref: str = ""
    provider: str = ""  # gen_ai.provider.name / LiteLLM custom_llm_provider


class SkipCounter:
    """Counts skipped lines by reason and keeps up to 20 sample lines per reason."""

    __slots__ = ("counts", "samples")

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.samples: dict[str, list[str]] = {}

    def add(self, reason: SkipReason | str, line: str | bytes = "", n: int = 1) -> None:
        """Count ``n`` skips for ``reason`` and keep the line as a sample while there is room."""
        key = str(reason)
        self.counts[key] = self.counts.get(key, 0) + n
        bucket = self.samples.setdefault(key, [])
        if len(bucket) < MAX_SKIP_SAMPLES and line != "" and line != b"":
            if isinstance(line, bytes):
                line = line[:MAX_SAMPLE_CHARS].decode("utf-8", "replace")
            bucket.append(line[:MAX_SAMPLE_CHARS])

    @property
    def total(self) -> int:
        """All skipped lines."""
        return sum(self.counts.values())

    def merge(self, other: SkipCounter) -> None:
        """Fold another counter in (used when merging chunk results)."""
        for key, n in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + n
            bucket = self.samples.setdefault(key, [])
            room = MAX_SKIP_SAMPLES - len(bucket)
            if room > 0:
                bucket.extend(other.samples.get(key, [])[:room])


def json_object(line: str) -> dict | SkipReason:
    """One JSON object per line; anything else is a counted skip."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return SkipReason.BAD_JSON
    return obj if isinstance(obj, dict) else SkipReason.MALFORMED


_HOST_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_")


def clean_host(raw: str) -> str:
    """Lower-case a host, drop port, brackets and the trailing dot; '' when unusable."""
    host = raw.lower()
    if host and _HOST_OK.issuperset(host):  # fast path: plain host name
        return host.rstrip(".") if host[-1] == "." else host
    host = host.strip()
    if not host or host == "-":
        return ""
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0]
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    if host.startswith("["):  # [v6]:port
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    host = host.rstrip(".")
    if host.startswith("xn--") or ".xn--" in host:
        with contextlib.suppress(UnicodeError, ValueError):
            host = host.encode("ascii").decode("idna")
    return host


def split_url(url: str) -> tuple[str, int | None, str]:
    """Split a proxy URL (absolute, authority-form or bare host/path) into host, port, path."""
    i = url.find("://")
    rest = url[i + 3 :] if i != -1 and i < 8 else url
    slash = rest.find("/")
    if slash == -1:
        authority, path = rest, ""
    else:
        authority, path = rest[:slash], rest[slash:]
        q = path.find("?")
        if q != -1:
            path = path[:q]
        if "#" in path:
            path = path.split("#", 1)[0]
    port: int | None = None
    if "@" in authority:
        authority = authority.rsplit("@", 1)[1]
    if authority.startswith("["):
        end = authority.find("]")
        tail = authority[end + 1 :]
        if tail.startswith(":") and tail[1:].isdigit():
            port = int(tail[1:])
    elif authority.count(":") == 1:
        authority, p = authority.split(":", 1)
        if p.isdigit():
            port = int(p)
    return clean_host(authority), port, path


def normalise_user(raw: str) -> str:
    """Reduce 'EXAMPLE%5Cbob', 'EXAMPLE\\bob', 'CN=Bob,OU=..' and e-mails to one lower-case key."""
    if not raw or raw == "-":
        return ""
    user = unquote(raw) if "%" in raw else raw
    user = user.strip().strip('"').lower()
    if user.startswith("cn="):
        user = user[3:].split(",", 1)[0]
    if "\\" in user:
        user = user.rsplit("\\", 1)[1]
    return "" if user in ("-", "") else user


def to_int(value: str) -> int:
    """Parse a byte count where '-' and '' mean zero."""
    if not value or value == "-":
        return 0
    return int(value)
