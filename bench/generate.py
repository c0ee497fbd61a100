"""Deterministic synthetic logs with a known ground truth (per app: hits and distinct users).

Squid native lines: ~3% go to catalogue AI hosts, ~0.1% to an unknown internal LLM gateway
(heuristics), the rest to non-AI hosts that contain no catalogue or heuristic token.
CloudTrail: 100 S3-style .json.gz files; ~3% Bedrock invocations by a pool of principals, one
injected LLMjacking probe sequence, the rest ordinary management events.
"""

from __future__ import annotations

import gzip
import json
import random
import zlib
from collections import defaultdict
from pathlib import Path

import orjson

SEED = 20261124
AI_SHARE = 0.03
HEURISTIC_SHARE = 0.001
T0 = 1763164800  # 2025-11-15T00:00:00Z
DAYS = 7

# (app key, host, url style) – hosts taken from the catalogue
AI_TARGETS = [
    ("chatgpt", "chatgpt.com", "connect"),
    ("chatgpt", "chatgpt.com", "https://chatgpt.com/backend-api/conversation"),
    ("openai-api-platform", "api.openai.com", "https://api.openai.com/v1/chat/completions"),
    ("claude", "claude.ai", "connect"),
    ("anthropic-api-console", "api.anthropic.com", "https://api.anthropic.com/v1/messages"),
    ("gemini-app", "gemini.google.com", "connect"),
    ("gemini-api-ai-studio", "generativelanguage.googleapis.com", "connect"),
    ("microsoft-copilot", "copilot.microsoft.com", "connect"),
    ("github-copilot", "api.individual.githubcopilot.com", "connect"),
    ("perplexity", "www.perplexity.ai", "connect"),
    ("deepseek", "chat.deepseek.com", "connect"),
    ("mistral-api", "api.mistral.ai", "https://api.mistral.ai/v1/chat/completions"),
    ("cursor", "api2.cursor.sh", "connect"),
    ("hugging-face-hub-inference", "huggingface.co", "https://huggingface.co/models"),
    ("huggingchat", "huggingface.co", "https://huggingface.co/chat/conversation"),
    ("midjourney", "www.midjourney.com", "connect"),
    ("elevenlabs", "api.elevenlabs.io", "connect"),
    ("otter-ai", "otter.ai", "connect"),
    ("grammarly", "grammarly.com", "connect"),
    ("character-ai", "character.ai", "connect"),
    ("poe", "poe.com", "connect"),
    ("amazon-bedrock", "bedrock-runtime.us-east-1.amazonaws.com", "connect"),
    ("azure-openai-ai-foundry", "contoso.openai.azure.com", "connect"),
    ("groq", "api.groq.com", "https://api.groq.com/openai/v1/chat/completions"),
]
WEIGHTS = [20, 8, 10, 12, 6, 8, 3, 6, 9, 4, 2, 2, 5, 3, 1, 1, 1, 2, 5, 1, 1, 2, 2, 1]
HEURISTIC_HOST = "llm-gw.corp.example"


def _plain_hosts(rng: random.Random, n: int) -> list[str]:
    words = ["shop", "news", "media", "cdn", "static", "portal", "mail", "docs", "maps", "video"]
    tlds = ["example", "example.com", "example.net", "example.org"]
    return [
        f"{rng.choice(['www', 'img', 'api', 'cdn'])}.{rng.choice(words)}{i}.{rng.choice(tlds)}"
        for i in range(n)
    ]


def squid(path: Path, lines: int, *, seed: int = SEED) -> dict:
    """Write ``lines`` Squid native lines; return the ground truth."""
    rng = random.Random(seed)
    plain = _plain_hosts(rng, 20000)
    users = [f"user{i:05d}" for i in range(5000)]
    ips = [f"10.{(i >> 8) & 255}.{i & 255}.{(i * 7) % 250 + 1}" for i in range(5000)]
    hits: dict[str, int] = defaultdict(int)
    people: dict[str, set] = defaultdict(set)
    step = DAYS * 86400 / max(lines, 1)
    batch = 100_000
    cum = [sum(WEIGHTS[: i + 1]) for i in range(len(WEIGHTS))]
    with open(path, "w", encoding="ascii", newline="\n") as fh:
        for start in range(0, lines, batch):
            out = []
            for i in range(start, min(lines, start + batch)):
                ts = T0 + i * step
                u = rng.randrange(5000)
                named = rng.random() < 0.6
                user = users[u] if named else "-"
                ident = users[u] if named else f"ip:{ips[u]}"
                r = rng.random()
                if r < AI_SHARE:
                    app, host, style = AI_TARGETS[
                        rng.choices(range(len(AI_TARGETS)), cum_weights=cum)[0]
                    ]
                    hits[app] += 1
                    people[app].add(ident)
                    if style == "connect":
                        req = f"CONNECT {host}:443"
                        code, mime = "TCP_TUNNEL/200", "-"
                    else:
                        req = f"POST {style}"
                        code, mime = "TCP_MISS/200", "application/json"
                elif r < AI_SHARE + HEURISTIC_SHARE:
                    hits["host:" + HEURISTIC_HOST] += 1
                    people["host:" + HEURISTIC_HOST].add(ident)
                    req = f"POST http://{HEURISTIC_HOST}/v1/chat/completions"
                    code, mime = "TCP_MISS/200", "application/json"
                else:
                    host = plain[rng.randrange(20000)]
                    if rng.random() < 0.6:
                        req, code, mime = f"CONNECT {host}:443", "TCP_TUNNEL/200", "-"
                    else:
                        req = f"GET http://{host}/static/p{rng.randrange(100000)}/index.html?id={i}"
                        code, mime = "TCP_MISS/200", "text/html"
                out.append(
                    f"{ts:.3f} {rng.randrange(5, 90000):6d} {ips[u]} {code} {rng.randrange(200, 90000)} "
                    f"{req} {user} HIER_DIRECT/198.51.100.{rng.randrange(1, 250)} {mime}\n"
                )
            fh.write("".join(out))
    return {
        "lines": lines,
        "apps": {k: {"hits": hits[k], "users": len(people[k])} for k in sorted(hits)},
    }


def repeat(src: Path, dst: Path, times: int) -> None:
    """dst = src concatenated ``times`` times (same traffic replayed: hits scale, users do not)."""
    with open(dst, "wb") as out:
        for _ in range(times):
            with open(src, "rb") as fh:
                while block := fh.read(1 << 24):
                    out.write(block)


def scale_truth(truth: dict, times: int) -> dict:
    return {
        "lines": truth["lines"] * times,
        "apps": {
            k: {"hits": v["hits"] * times, "users": v["users"]} for k, v in truth["apps"].items()
        },
    }


OTHER_EVENTS = [
    ("s3.amazonaws.com", "GetObject"),
    ("s3.amazonaws.com", "PutObject"),
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("kms.amazonaws.com", "Decrypt"),
    ("logs.amazonaws.com", "CreateLogStream"),
    ("lambda.amazonaws.com", "Invoke"),
    ("dynamodb.amazonaws.com", "DescribeTable"),
]
BEDROCK_SHARE = 0.03
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"]
ATTACK_ARN = "arn:aws:iam::111122223333:user/leaked-ci"


def _event(i: int, ts: float, source: str, name: str, arn: str, region: str, **extra) -> dict:
    ev = {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole" if "assumed-role" in arn else "IAMUser",
            "principalId": f"AIDA{i % 977:08d}",
            "arn": arn,
            "accountId": "111122223333",
            "accessKeyId": ("AKIA" if ":user/" in arn else "ASIA")
            + f"BENCH{zlib.crc32(arn.encode()):010d}",
        },
        "eventTime": _iso(ts),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": f"198.51.100.{i % 250 + 1}",
        "userAgent": "aws-sdk-java/2.25.0 Linux/6.1 OpenJDK_64-Bit_Server_VM/17",
        "requestParameters": extra.pop("params", None),
        "responseElements": None,
        "requestID": f"req-{i:09d}",
        "eventID": f"00000000-0000-4000-8000-{i:012d}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
    }
    ev.update(extra)
    return ev


def _iso(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(int(ts), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cloudtrail(root: Path, events: int, files: int = 100, *, seed: int = SEED) -> dict:
    """Write an S3-layout CloudTrail tree; return the ground truth."""
    rng = random.Random(seed + 1)
    principals = [
        f"arn:aws:sts::111122223333:assumed-role/app-role-{i % 40}/session-{i}" for i in range(300)
    ]
    hits = 0
    people: set[str] = set()
    per_file = events // files
    n = 0
    attack_file = files // 2
    for f in range(files):
        t_file = T0 + f * (DAYS * 86400 / files)
        recs = []
        for _ in range(per_file):
            ts = t_file + rng.random() * 3000
            if rng.random() < BEDROCK_SHARE:
                arn = principals[rng.randrange(300)]
                recs.append(
                    _event(
                        n,
                        ts,
                        "bedrock.amazonaws.com",
                        "InvokeModel",
                        arn,
                        "us-east-1",
                        params={"modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
                    )
                )
                hits += 1
                people.add(arn)
            else:
                src, name = OTHER_EVENTS[rng.randrange(len(OTHER_EVENTS))]
                recs.append(
                    _event(n, ts, src, name, principals[rng.randrange(300)], rng.choice(REGIONS))
                )
            n += 1
        if f == attack_file:
            t = t_file + 100
            seq = [
                ("sts.amazonaws.com", "GetCallerIdentity", "us-east-1", None),
                ("bedrock.amazonaws.com", "ListFoundationModels", "us-east-1", None),
                ("bedrock.amazonaws.com", "InvokeModel", "us-east-1", "ValidationException"),
                ("bedrock.amazonaws.com", "InvokeModel", "us-west-2", "ValidationException"),
                ("bedrock.amazonaws.com", "InvokeModel", "ap-southeast-2", "ValidationException"),
                (
                    "bedrock.amazonaws.com",
                    "GetModelInvocationLoggingConfiguration",
                    "us-east-1",
                    None,
                ),
            ]
            for k, (src, name, region, err) in enumerate(seq):
                extra = {"errorCode": err, "errorMessage": "(omitted)"} if err else {}
                recs.append(_event(n, t + k * 20, src, name, ATTACK_ARN, region, **extra))
                n += 1
        rng.shuffle(recs)  # files are unordered
        day = _iso(t_file)[:10].replace("-", "/")
        d = root / "AWSLogs/111122223333/CloudTrail/us-east-1" / day
        d.mkdir(parents=True, exist_ok=True)
        name = f"111122223333_CloudTrail_us-east-1_{_iso(t_file).replace('-', '').replace(':', '')[:13]}Z_{f:04d}.json.gz"
        with gzip.open(d / name, "wb", compresslevel=6) as fh:
            fh.write(b'{"Records":[' + b",".join(orjson.dumps(r) for r in recs) + b"]}")
    digest = root / "AWSLogs/111122223333/CloudTrail-Digest/us-east-1"
    digest.mkdir(parents=True, exist_ok=True)
    (digest / "digest.json.gz").write_bytes(gzip.compress(b'{"digest":true}'))
    return {
        "events": n,
        "apps": {"amazon-bedrock": {"hits": hits, "users": len(people)}},
        "expected_rules": ["L1", "L4", "L6", "L10"],
        "attacker": ATTACK_ARN,
    }


def write_truth(path: Path, truth: dict) -> None:
    path.write_text(json.dumps(truth, indent=1, sort_keys=True))
