"""Regenerates the demo logs (deterministic): `python discovery/demo_logs/make_demo_logs.py`."""

import datetime as dt
import gzip
import hashlib
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = dt.datetime(2026, 11, 9, tzinfo=dt.UTC)
DAYS = 12
USERS = {
    "alice": "192.0.2.10", "bob": "192.0.2.11", "carol": "192.0.2.12", "dave": "192.0.2.13",
    "erin": "192.0.2.14", "frank": "192.0.2.15", "gina": "192.0.2.16", "harry": "192.0.2.17",
}  # fmt: skip


def squid_line(
    ts: float, ip: str, user: str, method: str, url: str, size: int, mime: str = "-"
) -> str:
    status = "TCP_TUNNEL/200" if method == "CONNECT" else "TCP_MISS/200"
    return f"{ts:.3f} {random.randint(5, 4000):6d} {ip} {status} {size} {method} {url} {user} HIER_DIRECT/198.51.100.20 {mime}"


def make_squid(rng: random.Random) -> None:
    # (host/url, method, users, per-day requests, day range, mime)
    plan = [
        ("chatgpt.com:443", "CONNECT", ["alice", "bob", "carol"], 6, range(DAYS), "-"),
        ("api.githubcopilot.com:443", "CONNECT", ["dave", "erin"], 5, range(DAYS), "-"),
        ("claude.ai:443", "CONNECT", ["bob", "frank"], 4, range(DAYS), "-"),
        ("chat.deepseek.com:443", "CONNECT", ["gina"], 3, range(7, DAYS), "-"),
        ("character.ai:443", "CONNECT", ["harry"], 2, range(9, DAYS), "-"),
        (
            "https://api.openai.com/v1/chat/completions",
            "POST",
            ["erin"],
            3,
            range(4, DAYS),
            "text/event-stream",
        ),
        (
            "https://llm-gw.partner.example.net/v1/chat/completions",
            "POST",
            ["frank"],
            2,
            range(8, DAYS),
            "application/json",
        ),
        ("www.example.com:443", "CONNECT", list(USERS), 8, range(DAYS), "-"),
        ("http://intranet.example.org/wiki/Home", "GET", list(USERS), 5, range(DAYS), "text/html"),
    ]
    lines = []
    for url, method, users, per_day, days, mime in plan:
        for d in days:
            n = per_day * len(users)
            if url.startswith("claude.ai") and d == DAYS - 2:
                n = 160  # a usage spike the day before the last
            for _ in range(n):
                user = rng.choice(users)
                ts = (
                    START
                    + dt.timedelta(days=d, milliseconds=rng.randint(8 * 3600_000, 18 * 3600_000))
                ).timestamp()
                lines.append(
                    (
                        ts,
                        squid_line(
                            ts, USERS[user], user, method, url, rng.randint(800, 90000), mime
                        ),
                    )
                )
    lines.sort()
    text = [line for _ts, line in lines]
    text.insert(40, "this line is not a squid log line")
    text.insert(90, "1762700000.000 12 192.0.2.10 TCP_MISS/200")
    (HERE / "squid-access.log").write_text("\n".join(text) + "\n")


def make_zeek_ssl(rng: random.Random) -> None:
    plan = [
        ("perplexity.ai", ["carol", "dave"], 3),
        ("gemini.google.com", ["alice", "harry"], 2),
        ("api2.cursor.sh", ["dave", "erin"], 6),
        ("api.mistral.ai", ["frank"], 2),
        ("www.example.com", list(USERS), 4),
    ]
    rows = []
    for host, users, per_day in plan:
        for d in range(DAYS - 5, DAYS):
            for _ in range(per_day * len(users)):
                user = rng.choice(users)
                ts = (
                    START + dt.timedelta(days=d, seconds=rng.randint(8 * 3600, 18 * 3600))
                ).timestamp()
                rows.append(
                    {
                        "ts": round(ts, 6),
                        "uid": f"C{rng.getrandbits(60):015x}",
                        "id.orig_h": USERS[user],
                        "id.orig_p": rng.randint(40000, 60000),
                        "id.resp_h": "198.51.100.21",
                        "id.resp_p": 443,
                        "version": "TLSv13",
                        "cipher": "TLS_AES_128_GCM_SHA256",
                        "server_name": host,
                        "resumed": False,
                        "established": True,
                        "ssl_history": "CsiI",
                    }
                )
    rows.sort(key=lambda r: r["ts"])
    (HERE / "zeek-ssl.log").write_text("".join(json.dumps(r) + "\n" for r in rows))


def ct_event(
    ts: dt.datetime,
    name: str,
    source: str,
    region: str,
    ip: str,
    ident: dict,
    error: str = "",
    params=None,
) -> dict:
    event = {
        "eventVersion": "1.10",
        "userIdentity": ident,
        "eventTime": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux lang/python#3.11.4",
        "requestParameters": params,
        "responseElements": None,
        "requestID": hashlib.sha256(f"{ts}{name}{region}".encode()).hexdigest()[:32],
        "eventID": f"evt-{name}-{region}-{int(ts.timestamp())}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
    }
    if error:
        event["errorCode"] = error
        event["errorMessage"] = "(message text omitted)"
    return event


def make_cloudtrail() -> None:
    attacker = {"type": "IAMUser", "principalId": "AIDAEXAMPLEUSERID0001",
                "arn": "arn:aws:iam::111122223333:user/ci-deployer", "accountId": "111122223333",
                "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": "ci-deployer"}  # fmt: skip
    app = {"type": "AssumedRole", "principalId": "AROAEXAMPLEROLE:summariser",
           "arn": "arn:aws:sts::111122223333:assumed-role/app-summariser/summariser",
           "accountId": "111122223333", "accessKeyId": "ASIAEXAMPLEKEY000001"}  # fmt: skip
    t = dt.datetime(2026, 11, 19, 3, 12, 5, tzinfo=dt.UTC)
    ip = "203.0.113.77"
    records = [ct_event(t, "GetCallerIdentity", "sts.amazonaws.com", "us-east-1", ip, attacker)]
    step = dt.timedelta(seconds=20)
    for i, region in enumerate(["us-east-1", "us-west-2", "eu-west-3"]):
        records.append(
            ct_event(
                t + step * (i + 1),
                "ListFoundationModels",
                "bedrock.amazonaws.com",
                region,
                ip,
                attacker,
            )
        )
    for i, region in enumerate(
        ["us-east-1", "us-west-2", "ap-southeast-2", "ap-south-1", "eu-west-3"]
    ):
        records.append(
            ct_event(
                t + step * (i + 5),
                "InvokeModel",
                "bedrock.amazonaws.com",
                region,
                ip,
                attacker,
                error="ValidationException",
                params={"modelId": "anthropic.claude-v2"},
            )
        )
    records.append(
        ct_event(
            t + step * 11,
            "GetModelInvocationLoggingConfiguration",
            "bedrock.amazonaws.com",
            "us-east-1",
            ip,
            attacker,
        )
    )
    records.append(
        ct_event(
            t + step * 12,
            "PutUseCaseForModelAccess",
            "bedrock.amazonaws.com",
            "us-east-1",
            ip,
            attacker,
        )
    )
    for i in range(12):
        records.append(
            ct_event(
                t + dt.timedelta(hours=6, minutes=5 * i),
                "InvokeModel",
                "bedrock.amazonaws.com",
                "us-east-1",
                "192.0.2.40",
                app,
                params={"modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
            )
        )
    records.sort(key=lambda r: r["eventTime"])
    name = "111122223333_CloudTrail_us-east-1_20261119T0320Z_DemoProbe0001.json.gz"
    with gzip.GzipFile(HERE / name, "wb", mtime=0) as fh:
        fh.write(json.dumps({"Records": records}).encode())


def make_identity_csv() -> None:
    teams = {"alice": "Finance", "bob": "Finance", "carol": "Legal", "dave": "Engineering",
             "erin": "Engineering", "frank": "Research", "gina": "Marketing", "harry": "Sales"}  # fmt: skip
    lines = ["kind,identifier,person,team,valid_from,valid_to,source"]
    for user, ip in USERS.items():
        lines.append(f"ip,{ip},{user}@example.com,{teams[user]},2026-01-01T00:00:00Z,,dhcp")
        lines.append(
            f"user,{user},{user}@example.com,{teams[user]},2026-01-01T00:00:00Z,,directory"
        )
    lines.append(
        "aws_principal,arn:aws:iam::111122223333:user/ci-deployer,svc-ci@example.com,Platform,2026-01-01T00:00:00Z,,manual"
    )
    (HERE / "identity-mapping.csv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    rng = random.Random(20261124)
    random.seed(20261124)
    make_squid(rng)
    make_zeek_ssl(rng)
    make_cloudtrail()
    make_identity_csv()
