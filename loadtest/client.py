"""Bounded load generator: N clients for T seconds of mixed traffic against a loopback server only."""

import argparse
import asyncio
import random
import re
import sys
import time
from collections import defaultdict
from urllib.parse import urlparse

import httpx

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SESSION = re.compile(r"sessionid=([^;]+)")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BASE_VERSION = re.compile(r'name="base_version" value="(\d+)"')
QUESTION = re.compile(r"/answer/([^/\"]+)/")


class Client:
    """One simulated user: a session (cookies kept by hand, since prod cookies are Secure)."""

    def __init__(self, http: httpx.AsyncClient, base: str, stats: dict):
        self.http, self.base, self.stats = http, base, stats
        self.cookies: dict[str, str] = {}
        self.headers = {"X-Forwarded-Proto": "https"}  # as behind the TLS proxy of production
        self.secure_base = base.replace("http://", "https://", 1)

    def _cookie_header(self) -> dict:
        jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**self.headers, **({"Cookie": jar} if jar else {})}

    def _keep(self, response: httpx.Response) -> None:
        for raw in response.headers.get_list("set-cookie"):
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def request(self, label: str, method: str, path: str, **kw) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.http.request(
                method,
                self.base + path,
                headers={**self._cookie_header(), **kw.pop("headers", {})},
                **kw,
            )
        except httpx.HTTPError as exc:
            self.stats[label].append((time.perf_counter() - started, f"error {type(exc).__name__}"))
            return None
        self._keep(response)
        ok = response.status_code < 400
        self.stats[label].append(
            (time.perf_counter() - started, None if ok else str(response.status_code))
        )
        return response

    async def login(self, username: str, password: str) -> None:
        page = await self.request("login form", "GET", "/login/")
        token = CSRF_INPUT.search(page.text).group(1)
        response = await self.request(
            "login",
            "POST",
            "/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": self.secure_base + "/login/"},
        )
        if response is None or response.status_code != 302:
            raise SystemExit(f"login failed for {username}: {response and response.status_code}")


async def user_loop(client: Client, deadline: float, ctx: dict, rng: random.Random) -> None:
    await asyncio.sleep(ctx["start_after"])  # users arrive over the ramp, as Locust spawns them
    assessment = ctx["assessment"]
    page = await client.request("assessment page", "GET", f"/assessments/{assessment}/")
    versions: dict[str, int] = {}
    for chunk in (page.text if page is not None else "").split('<form id="q-')[1:]:
        qid, base = QUESTION.search(chunk), BASE_VERSION.search(chunk)
        if qid and base and "<textarea" in chunk:  # free-text questions take any value
            versions[qid.group(1)] = int(base.group(1))
    questions = sorted(versions)
    token_match = CSRF_INPUT.search(page.text) if page is not None else None
    form_token = token_match.group(1) if token_match else client.cookies.get("csrftoken", "")
    while time.monotonic() < deadline:
        if ctx["think"]:  # a user reads the page before the next click (Locust's `between`)
            await asyncio.sleep(rng.uniform(0.5, 1.5) * ctx["think"])
        roll = rng.random()
        if roll < 0.20:
            q = rng.choice(["", "Load system 01", "Team 3"])
            lc = rng.choice(["in_use", "in_development"])
            await client.request(
                "inventory list (filters)",
                "GET",
                f"/inventory/?q={q}&lifecycle={lc}&page={rng.randint(1, 5)}",
            )
        elif roll < 0.35:
            await client.request(
                "system detail",
                "GET",
                f"/inventory/systems/{rng.randint(ctx['first'], ctx['last'])}/",
            )
        elif roll < 0.50:
            await client.request("discovered AI", "GET", "/discovery/")
        elif roll < 0.65:
            await client.request(
                "findings", "GET", f"/discovery/findings/?page={rng.randint(1, 3)}"
            )
        elif roll < 0.80 and questions:
            qid = rng.choice(questions)
            response = await client.request(
                "autosave POST",
                "POST",
                f"/assessments/{assessment}/answer/{qid}/",
                data={
                    "base_version": versions[qid],
                    "value": f"load {rng.random():.6f}",
                    "csrfmiddlewaretoken": form_token,
                },
                headers={
                    "HX-Request": "true",
                    "X-CSRFToken": form_token,
                    "Referer": client.secure_base + "/",
                },
            )
            found = BASE_VERSION.search(response.text) if response is not None else None
            if response is not None and "conflict" in response.text.lower():
                client.stats["autosave POST"][-1] = (
                    client.stats["autosave POST"][-1][0],
                    "conflict",
                )
            versions[qid] = int(found.group(1)) if found else versions[qid] + 1
        else:
            path = rng.choice(
                [
                    "/api/systems/?page=" + str(rng.randint(1, 50)),
                    "/api/discovery/findings/",
                    "/api/vendors/",
                ]
            )
            await client.request("API reads", "GET", path)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--password", required=True)
    parser.add_argument("--first-system", type=int, required=True)
    parser.add_argument("--last-system", type=int, required=True)
    parser.add_argument("--assessments", required=True, help="comma-separated assessment ids")
    parser.add_argument("--report", default="var/loadtest-report.md")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause between a user's requests in seconds (0: back-to-back, a capacity test)",
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=5.0,
        help="seconds over which the users arrive (Locust's spawn rate = clients / ramp)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=8,
        help="users that first fetch each page once, unmeasured, to warm the server's workers",
    )
    args = parser.parse_args()
    if urlparse(args.base).hostname not in LOOPBACK:
        raise SystemExit("The load generator only targets loopback addresses.")
    stats: dict[str, list] = defaultdict(list)
    limits = httpx.Limits(max_connections=args.clients * 2)
    assessments = [int(a) for a in args.assessments.split(",")]
    async with httpx.AsyncClient(timeout=30, limits=limits, follow_redirects=False) as http:
        clients = [Client(http, args.base, stats) for _ in range(args.clients)]
        await asyncio.gather(
            *(c.login(f"load{i:02d}", args.password) for i, c in enumerate(clients))
        )
        # Warm-up, not measured: each server worker imports, compiles templates and connects once.
        warm = defaultdict(list)
        for c in clients[: args.warmup]:
            c.stats = warm
            await c.request("warm-up", "GET", f"/assessments/{assessments[0]}/")
            for path in (
                "/inventory/",
                f"/inventory/systems/{args.first_system}/",
                "/discovery/",
                "/discovery/findings/",
                "/api/systems/",
                "/api/vendors/",
            ):
                await c.request("warm-up", "GET", path)
            c.stats = stats
        for key in ("login form", "login"):
            stats.pop(key, None)
        deadline = time.monotonic() + args.seconds
        spacing = args.ramp / max(1, args.clients)
        started = time.monotonic()
        await asyncio.gather(
            *(
                user_loop(
                    c,
                    deadline,
                    {
                        "assessment": assessments[i % len(assessments)],
                        "first": args.first_system,
                        "last": args.last_system,
                        "think": args.think,
                        "start_after": i * spacing,
                    },
                    random.Random(i),
                )
                for i, c in enumerate(clients)
            )
        )
        elapsed = time.monotonic() - started
    lines = [
        f"# Load test: {args.clients} clients, {elapsed:.0f} s, gunicorn + PostgreSQL on loopback",
        "",
        (
            f"Each client pauses {args.think * 0.5:.2f}-{args.think * 1.5:.2f} s between requests."
            if args.think
            else "Clients send back to back (no pause): a capacity test."
        )
        + f" Users arrive over the first {args.ramp:.0f} s, after {args.warmup} unmeasured"
        " warm-up passes over the pages; every request after that is measured.",
        "",
        "| endpoint | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    total = errors = 0
    failing = []
    for label in sorted(stats):
        rows = stats[label]
        times = [t for t, _ in rows]
        errs = [e for _, e in rows if e]
        total, errors = total + len(rows), errors + len(errs)
        p95 = pct(times, 95)
        if p95 > 150:
            failing.append(label)
        lines.append(
            f"| {label} | {len(rows)} | {len(errs)} | {pct(times, 50):.0f} | {p95:.0f} | "
            f"{pct(times, 99):.0f} | {max(times) * 1000:.0f} |"
        )
        if errs:
            lines.append(f"|  ↳ errors | | {', '.join(sorted(set(errs)))} | | | | |")
    lines += [
        "",
        f"Total {total} requests ({total / elapsed:.0f}/s), {errors} errors; "
        f"overall p95 {pct([t for r in stats.values() for t, _ in r], 95):.0f} ms.",
        f"Goal p95 <= 150 ms: {'met' if not failing else 'NOT met for ' + ', '.join(failing)}.",
    ]
    report = "\n".join(lines) + "\n"
    sys.stdout.write(report)
    with open(args.report, "w") as fh:
        fh.write(report)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
