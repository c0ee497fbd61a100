"""A generated multi-file CloudTrail batch with ground truth: legitimate application roles that
use Bedrock steadily from day one, and attackers injected during and after the learning period.

Everything is synthetic (account 111122223333, RFC 5737 addresses) and deterministic for a seed.
Files come in the shapes tools publish: S3 ``{"Records": [...]}``, a top-level JSON array and
JSON lines; one event is delivered in two files (it must count once).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ACCOUNT = "111122223333"
START = datetime(2026, 5, 4, tzinfo=UTC)  # a Monday
DAYS = 21
LEARNING_DAYS = 14
REGIONS = ["us-east-1", "us-west-2", "ap-southeast-2", "ap-south-1", "eu-west-3"]
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0"
TITAN = "amazon.titan-text-express-v1"


@dataclass
class Truth:
    """What a correct detector says about this batch."""

    # attacker principal -> sub-detections that must be found above info
    attackers: dict[str, set[str]] = field(default_factory=dict)
    legit: set[str] = field(default_factory=set)
    event_ids: set[str] = field(default_factory=set)
    invocations_ok: int = 0
    duplicated_event: str = ""


@dataclass
class Generated:
    events: list[dict]
    truth: Truth
    files: list[Path] = field(default_factory=list)


def _role_arn(role: str, session: str) -> str:
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"


class _Maker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[dict] = []

    def add(
        self,
        when: datetime,
        name: str,
        *,
        arn: str,
        key: str,
        ip: str,
        ua: str,
        region: str = "us-east-1",
        source: str = "bedrock.amazonaws.com",
        error: str = "",
        model: str = "",
        itype: str = "",
    ) -> dict:
        ev = {
            "eventVersion": "1.09",
            "userIdentity": {
                "type": itype or ("AssumedRole" if ":assumed-role/" in arn else "IAMUser"),
                "arn": arn,
                "accountId": ACCOUNT,
                "accessKeyId": key,
            },
            "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": ip,
            "userAgent": ua,
            "requestParameters": {"modelId": model} if model else {},
            "responseElements": None,
            "requestID": str(uuid.UUID(int=self.rng.getrandbits(128))),
            "eventID": str(uuid.UUID(int=self.rng.getrandbits(128))),
            "readOnly": name.startswith(("Get", "List")),
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": ACCOUNT,
        }
        if error:
            ev["errorCode"] = error
            ev["errorMessage"] = f"{error} (synthetic)"
        self.events.append(ev)
        return ev


APPS = [
    # role, session, key, ip, user agent, models
    ("app-support-bot", "i-0a1b2c3d", "ASIAAPPSUPPORT00001", "198.51.100.10", "Boto3/1.34.120 md/Botocore#1.34.120 ua/2.0 os/linux lang/python#3.12", [HAIKU]),
    ("app-doc-summariser", "lambda-summarise", "ASIAAPPSUMMARY00002", "198.51.100.11", "aws-sdk-java/2.25.40 Linux/5.10 OpenJDK_64-Bit_Server_VM", [SONNET, HAIKU]),
    ("app-search-rag", "ecs-task-7", "ASIAAPPSEARCH000003", "198.51.100.12", "aws-sdk-js/3.590.0 ua/2.0 os/linux lang/js md/nodejs#20.14.0", [TITAN]),
]  # fmt: skip


def _legit(m: _Maker, truth: Truth) -> None:
    """Steady daytime use from day one, one region, a fixed set of models."""
    for role, session, key, ip, ua, models in APPS:
        arn = _role_arn(role, session)
        truth.legit.add(arn)
        for day in range(DAYS):
            base = START + timedelta(days=day, hours=8)
            for i in range(m.rng.randint(4, 8)):
                when = base + timedelta(minutes=m.rng.randint(0, 600), seconds=i)
                m.add(
                    when,
                    "InvokeModel",
                    arn=arn,
                    key=key,
                    ip=ip,
                    ua=ua,
                    model=models[i % len(models)],
                )
                truth.invocations_ok += 1


def _keychecker(m: _Maker, truth: Truth, *, day: int, n: int) -> None:
    """A leaked long-term key tested the keychecker way, then resold through a reverse proxy."""
    arn = f"arn:aws:iam::{ACCOUNT}:user/ci-deployer-{n}"
    key = f"AKIAEXAMPLELEAKED{n:03d}"
    ip = f"203.0.113.{40 + n}"
    ua = "python-requests/2.31.0"
    t = START + timedelta(days=day, hours=2, minutes=m.rng.randint(0, 50))
    common = {"arn": arn, "key": key, "ip": ip, "ua": ua}
    m.add(t, "GetCallerIdentity", source="sts.amazonaws.com", **common)
    for i, region in enumerate(REGIONS):
        at = t + timedelta(seconds=20 + i * 15)
        m.add(at, "ListFoundationModels", region=region, **common)
        m.add(at + timedelta(seconds=5), "InvokeModel", region=region, error="ValidationException", model=SONNET, **common)  # fmt: skip
    m.add(t + timedelta(minutes=3), "GetModelInvocationLoggingConfiguration", **common)
    proxy = {**common, "ua": "oai-reverse-proxy/1.0 (aws-sdk-js)"}
    for i in range(12):
        at = t + timedelta(minutes=10 + i * 3)
        m.add(at, "InvokeModel", region=REGIONS[i % 2], model=SONNET, **proxy)
        truth.invocations_ok += 1
    truth.attackers[arn] = {"L1", "L4", "L5", "L6"}


def _enabler(m: _Maker, truth: Truth, *, day: int) -> None:
    """A stolen session that enables Anthropic models and deletes prompt logging."""
    arn = _role_arn("dev-sandbox", "stolen-session")
    common = {
        "arn": arn,
        "key": "ASIASTOLENSESSION01",
        "ip": "203.0.113.90",
        "ua": "aws-cli/2.15.0",
    }
    t = START + timedelta(days=day, hours=23, minutes=10)
    m.add(t, "ListFoundationModelAgreementOffers", **common)
    m.add(t + timedelta(seconds=30), "PutUseCaseForModelAccess", **common)
    m.add(t + timedelta(seconds=60), "CreateFoundationModelAgreement", **common)
    m.add(t + timedelta(minutes=2), "DeleteModelInvocationLoggingConfiguration", **common)
    truth.attackers[arn] = {"L8", "L7.delete"}


def generate(seed: int = 7) -> Generated:
    rng = random.Random(seed)
    m = _Maker(rng)
    truth = Truth()
    _legit(m, truth)
    _keychecker(m, truth, day=3, n=1)  # during the learning period
    _enabler(m, truth, day=5)  # during the learning period
    _keychecker(m, truth, day=LEARNING_DAYS + 3, n=2)  # after it
    truth.event_ids = {e["eventID"] for e in m.events}
    return Generated(events=m.events, truth=truth)


def write_files(gen: Generated, folder: Path, *, parts: int = 5) -> list[Path]:
    """Splits the events (in random order, not time order) into files of several shapes; one
    event is written to two files."""
    rng = random.Random(len(gen.events))
    events = list(gen.events)
    rng.shuffle(events)
    chunks = [events[i::parts] for i in range(parts)]
    dup = chunks[0][0]
    chunks[1].append(dup)
    gen.truth.duplicated_event = dup["eventID"]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, chunk in enumerate(chunks):
        shape = i % 3
        if shape == 0:
            path = folder / f"{ACCOUNT}_CloudTrail_us-east-1_part{i}.json"
            path.write_text(json.dumps({"Records": chunk}))
        elif shape == 1:
            path = folder / f"attack-sim-export-{i}.json"
            path.write_text(json.dumps(chunk, indent=1))
        else:
            path = folder / f"lake-query-{i}.jsonl"
            path.write_text("".join(json.dumps(e) + "\n" for e in chunk))
        paths.append(path)
    gen.files = paths
    return paths
