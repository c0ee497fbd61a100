"""`make bench`: the ingest path users run, on PostgreSQL, against grep and gunzip in the same run.

Sizes scale with BENCH_SCALE (default 1.0: 5M/10M Squid lines, 1M CloudTrail events in 100
files); chunks scale with it too (SIGHTLINE_INGEST_CHUNK_BYTES, 32 MB at 1.0) so a quick run
still splits a batch into as many chunks. BENCH_REPEAT (default 2) runs every timed command that
many times and keeps the fastest, for both sides of each ratio. DATABASE_URL overrides the
default sl_bench database, BENCH_BROKER_URL the Redis broker of the Celery workers. BENCH_ONLY
(comma-separated: p1, p2, p3, celery, info) runs a part of the bench, for working on one figure;
`make bench` runs all of them.

Every ingest starts from a fresh discovery state: the bench database is re-created from a
migrated template (catalogue and content loaded once) before each run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
PY = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sl_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/10"
CHUNK_BYTES = 32 * 1024 * 1024
PARTS = ("p1", "p2", "p3", "celery", "info")
sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402


def log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def measured(cmd: list[str] | str, *, env: dict | None = None, shell: bool = False) -> dict:
    """One run: wall s, CPU s (user + sys of the process and every descendant it waited for),
    peak RSS (MB, of the largest process of that tree), exit code and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, shell=shell, cwd=ROOT)
        _pid, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "wall": wall,
            "cpu": ru.ru_utime + ru.ru_stime,
            "rss_mb": ru.ru_maxrss / 1024,
            "rc": proc.returncode,
            "out": out.read().decode(errors="replace"),
            "err": err.read().decode(errors="replace"),
        }


def best(run, repeat: int) -> dict:
    """The fastest of ``repeat`` calls of ``run()`` (its peak RSS is the largest seen)."""
    results = [run() for _ in range(repeat)]
    fastest = min(results, key=lambda r: r["wall"])
    return {
        **fastest,
        "rss_mb": max(r["rss_mb"] for r in results),
        "walls": [r["wall"] for r in results],
    }


def checked(res: dict, what: str) -> dict:
    if res["rc"] != 0:
        raise RuntimeError(
            f"{what} exited {res['rc']}:\n{res['out'][-1500:]}\n{res['err'][-3000:]}"
        )
    return res


class Database:
    """The bench database, re-created from a migrated template before every ingest."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.base, self.name = url.rsplit("/", 1)
        self.template = f"{self.name}_template"

    def _admin(self):
        import psycopg

        return psycopg.connect(self.base + "/postgres", autocommit=True)

    @staticmethod
    def _drop(conn, name: str) -> None:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    def prepare(self, env: dict) -> None:
        """Template: migrated, catalogue and content loaded (once per bench run)."""
        with self._admin() as conn:
            self._drop(conn, self.template)
            conn.execute(f'CREATE DATABASE "{self.template}"')
        tenv = dict(env, DATABASE_URL=f"{self.base}/{self.template}")
        for args in (["migrate", "--noinput"], ["load_content"]):
            checked(measured([PY, "manage.py", *args], env=tenv), f"manage.py {args[0]}")

    def fresh(self) -> None:
        with self._admin() as conn:
            self._drop(conn, self.name)
            conn.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"')

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()

    def drop_all(self) -> None:
        with self._admin() as conn:
            self._drop(conn, self.name)
            self._drop(conn, self.template)


def ensure_data(scale: float) -> dict:
    """Generate once per scale; truths are stored next to the files."""
    DATA.mkdir(parents=True, exist_ok=True)
    tag = f"s{scale:g}"
    meta = DATA / f"meta-{tag}.json"
    if meta.exists():
        return json.loads(meta.read_text())
    base = int(5_000_000 * scale)
    files = {
        "squid_5m": DATA / f"squid_{tag}_x1.log",
        "squid_10m": DATA / f"squid_{tag}_x2.log",
        "cloudtrail": DATA / f"cloudtrail_{tag}",
    }
    log(f"generating {base:,} Squid lines ...")
    truth = generate.squid(files["squid_5m"], base)
    generate.repeat(files["squid_5m"], files["squid_10m"], 2)
    log(f"generating {int(1_000_000 * scale):,} CloudTrail events in 100 files ...")
    shutil.rmtree(files["cloudtrail"], ignore_errors=True)
    ct = generate.cloudtrail(files["cloudtrail"], int(1_000_000 * scale), 100)
    out = {
        "files": {k: str(v) for k, v in files.items()},
        "truth": {
            "squid_5m": truth,
            "squid_10m": generate.scale_truth(truth, 2),
            "cloudtrail": ct,
        },
    }
    meta.write_text(json.dumps(out))
    return out


def compare(name: str, got: dict, truth: dict) -> list[str]:
    """Exact per-app hits and distinct users; returns the differences."""
    errs = []
    for app, t in truth["apps"].items():
        g = got.get(app)
        if g != t:
            errs.append(f"{name}: {app} expected {t} got {g}")
    for app in set(got) - set(truth["apps"]):
        errs.append(f"{name}: unexpected {app} {got[app]}")
    return errs


def run_facts(db: Database) -> dict:
    """The batch's run as stored: status, lines, and its timeline from the database: the tail
    after the last chunk (the parts' write and the final step), the final step alone (after
    the last part: summaries merged, rules), and when the first chunk was taken (Celery)."""
    rows = db.query(
        "SELECT r.id, r.status, r.error, r.lines_read, r.files_total, r.chunks_total, "
        "r.write_parts, "
        "EXTRACT(EPOCH FROM r.finished_at - c.last_done), "
        "EXTRACT(EPOCH FROM r.finished_at - r.created_at), "
        "EXTRACT(EPOCH FROM c.last_done - r.created_at), "
        "EXTRACT(EPOCH FROM r.finished_at - p.last_done), "
        "EXTRACT(EPOCH FROM r.started_at - r.created_at) "
        "FROM discovery_ingestrun r "
        "LEFT JOIN (SELECT run_id, MAX(finished_at) AS last_done "
        "FROM discovery_ingestchunk GROUP BY run_id) c ON c.run_id = r.id "
        "LEFT JOIN (SELECT run_id, MAX(finished_at) AS last_done FROM discovery_ingestpart "
        "GROUP BY run_id) p ON p.run_id = r.id ORDER BY r.id"
    )
    if len(rows) != 1:
        return {"error": f"expected one run for the batch, found {len(rows)}"}
    rid, status, error, lines, files, chunks, parts, tail, total, to_last, final, planned = rows[0]
    return {
        "run": rid,
        "status": status,
        "run_error": error,
        "lines_read": int(lines),
        "files": files,
        "chunks": chunks,
        "parts": parts,
        "t_merge": float(tail or 0),
        "t_final": float(final or 0),
        "t_run": float(total or 0),
        "t_chunks": float(to_last or 0),
        "t_planned": float(planned or 0),
    }


def serial_seconds(wall: float, facts: dict) -> float:
    """What of a batch's 1-worker wall time no second worker can share: all but the span from
    the batch planned (its chunks queued) to the last part written, in which the chunks, the
    whole-file hash owed by a large file and the write parts run side by side; i.e.
    registration (head hashes), queueing, planning and the final step (summaries merged,
    findings and rules)."""
    shared = facts.get("t_run", 0) - facts.get("t_final", 0) - facts.get("t_planned", 0)
    return max(0.0, wall - shared)


def verify(db: Database, name: str, truth: dict, facts: dict) -> list[str]:
    """The stored rollups (and for CloudTrail the events and rules) against the ground truth."""
    errs = []
    if facts.get("error"):
        return [f"{name}: {facts['error']}"]
    if facts["status"] not in ("done", "needs_attention"):
        errs.append(f"{name}: run {facts['run']} {facts['status']}: {facts['run_error'][:300]}")
    got = {
        k: {"hits": int(h), "users": int(u)}
        for k, h, u in db.query(
            "SELECT CASE WHEN app_key = '' THEN 'host:' || host ELSE app_key END, "
            "SUM(requests), COUNT(DISTINCT identity) FROM discovery_usagerollup GROUP BY 1"
        )
    }
    errs += compare(name, got, truth)
    if "events" in truth:
        if facts["lines_read"] != truth["events"]:
            errs.append(f"{name}: {facts['lines_read']} events read, expected {truth['events']}")
        fired = {
            r[0]
            for r in db.query(
                "SELECT DISTINCT evidence->>'rule_id' FROM discovery_finding "
                "WHERE kind = 'llmjacking' AND principal = %s",
                (truth["attacker"],),
            )
        }
        if missing := set(truth["expected_rules"]) - fired:
            errs.append(f"{name}: rules not fired on the injected attack: {sorted(missing)}")
    elif facts["lines_read"] != truth["lines"]:
        errs.append(f"{name}: {facts['lines_read']} lines read, expected {truth['lines']}")
    return errs


def ingest_sync(db: Database, path: str, env: dict, repeat: int) -> dict:
    """`manage.py ingest --sync PATH` from a fresh state; the fastest of `repeat` runs."""

    def once() -> dict:
        db.fresh()
        res = measured([PY, "manage.py", "ingest", "--sync", path], env=env)
        res["facts"] = run_facts(db)
        return res

    return best(once, repeat)


class Workers:
    """N `celery worker --pool=solo` processes on a queue of their own (started untimed)."""

    def __init__(self, n: int, env: dict) -> None:
        self.queue = f"bench-{uuid.uuid4().hex[:10]}"
        self.dir = Path(tempfile.mkdtemp(prefix="bench-workers-"))
        self.procs: list[tuple[subprocess.Popen, Path]] = []
        for i in range(n):
            log_path = self.dir / f"worker-{i}.log"
            cmd = [
                PY, "-m", "celery", "-A", "sightline", "worker", "--pool=solo",
                "--loglevel=INFO", "-Q", self.queue, "-n", f"w{i}-{self.queue}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ]  # fmt: skip
            with log_path.open("wb") as fh:
                proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
            self.procs.append((proc, log_path))
        deadline = time.monotonic() + 120
        for proc, log_path in self.procs:
            while " ready." not in log_path.read_text(errors="replace"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker did not start:\n{log_path.read_text()[-2000:]}")
                time.sleep(0.1)

    def chunks_per_worker(self) -> list[int]:
        return [
            log_path.read_text(errors="replace").count("discovery.ingest_chunk_process[")
            // 2  # "received" and "succeeded" lines
            for _proc, log_path in self.procs
        ]

    def stop(self) -> None:
        for proc, _ in self.procs:
            proc.terminate()
        for proc, _ in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def ingest_celery(db: Database, path: str, workers: int, env: dict, repeat: int) -> dict:
    """The upload service feeds one batch to `workers` worker processes; timed from the start
    of registration to the run's end as stored (the workers are up before, as in production;
    the feeding process's own start-up is not the batch's time)."""

    def once() -> dict:
        db.fresh()
        pool = Workers(workers, env)
        try:
            res = measured([PY, "-m", "bench.feed", path, "--queue", pool.queue], env=env)
            res["per_worker"] = pool.chunks_per_worker()
        finally:
            pool.stop()
        res["facts"] = run_facts(db)
        res["wall_process"] = res["wall"]
        if res["rc"] == 0:
            res["feed"] = json.loads(res["out"].strip().splitlines()[-1])
            res["wall"] = res["feed"]["t_batch"] or res["wall"]
        return res

    return best(once, repeat)


def amdahl(serial: float, n: int) -> float:
    return 1 / (serial + (1 - serial) / n)


def main() -> int:
    started = time.perf_counter()
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    repeat = int(os.environ.get("BENCH_REPEAT", "2"))
    only = {p.strip() for p in os.environ.get("BENCH_ONLY", "").split(",") if p.strip()}
    if unknown := only - set(PARTS):
        raise SystemExit(f"BENCH_ONLY: unknown part(s) {sorted(unknown)}; known: {PARTS}")
    parts = only or set(PARTS)
    env = dict(
        os.environ,
        DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DB),
        CELERY_BROKER_URL=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER),
        CELERY_TASK_ALWAYS_EAGER="0",
        PYTHONPATH=str(ROOT),
        DEBUG="1",
    )
    env.setdefault("SIGHTLINE_INGEST_CHUNK_BYTES", str(max(1 << 20, int(CHUNK_BYTES * scale))))
    env.setdefault("SIGHTLINE_STORAGE_DIR", str(DATA / "storage"))
    meta = ensure_data(scale)
    files, truth = meta["files"], meta["truth"]
    db = Database(env["DATABASE_URL"])
    log(f"preparing {db.name} (migrate, load_content) ...")
    db.prepare(env)
    hosts = DATA / "catalogue-hosts.txt"
    from discovery import catalog_files
    from discovery.engine.matching import Catalog

    hosts.write_text("\n".join(Catalog.from_yaml(catalog_files()[-1]).prefilter_tokens()) + "\n")
    r: dict = {
        "scale": scale,
        "repeat": repeat,
        "cores": os.cpu_count(),
        "chunk_bytes": int(env["SIGHTLINE_INGEST_CHUNK_BYTES"]),
        "loadavg_start": os.getloadavg(),
        "parts": sorted(parts),
    }
    errors: list[str] = []

    def record(name: str, res: dict, t: dict) -> dict:
        if res["rc"] != 0:
            errors.append(f"{name}: exit {res['rc']}: {(res['err'] or res['out'])[-500:]}")
        errors.extend(verify(db, name, t, res["facts"]))
        return {k: v for k, v in res.items() if k not in ("out", "err")}

    try:
        r["sync"] = {}
        if "p1" in parts:
            log("P1: grep and `manage.py ingest --sync` on the 5M-line Squid log ...")
            grep = best(
                lambda: measured(["grep", "-F", "-c", "-f", str(hosts), files["squid_5m"]]), repeat
            )
            r["grep"] = {k: grep[k] for k in ("wall", "cpu", "walls")} | {
                "matches": int(grep["out"])
            }
        if parts & {"p1", "p2"}:
            r["sync"]["squid_5m"] = record(
                "sync/squid_5m", ingest_sync(db, files["squid_5m"], env, repeat), truth["squid_5m"]
            )
        if "p2" in parts:
            log("P2: the 10M-line log ...")
            r["sync"]["squid_10m"] = record(
                "sync/squid_10m", ingest_sync(db, files["squid_10m"], env, 1), truth["squid_10m"]
            )
        if "p3" in parts:
            log("P3: gunzip and `manage.py ingest --sync` on the CloudTrail folder ...")
            gz_list = sorted(
                str(p) for p in Path(files["cloudtrail"]).rglob("*_CloudTrail_*.json.gz")
            )
            list_file = DATA / "ct-files.txt"
            list_file.write_text("\n".join(gz_list) + "\n")
            gz = best(
                lambda: measured(f"xargs -a {list_file} gzip -dc | wc -c", shell=True), repeat
            )
            r["gunzip"] = {k: gz[k] for k in ("wall", "cpu", "walls")} | {"bytes": int(gz["out"])}
            r["sync"]["cloudtrail"] = record(
                "sync/cloudtrail",
                ingest_sync(db, files["cloudtrail"], env, repeat),
                truth["cloudtrail"],
            )
        r["celery"] = {}
        if "celery" in parts:
            for wl, path, t in (
                ("squid_5m", files["squid_5m"], truth["squid_5m"]),
                ("cloudtrail", files["cloudtrail"], truth["cloudtrail"]),
            ):
                for n in (1, 2):
                    log(f"Celery: {wl} on {n} worker process(es) ...")
                    res = record(f"celery{n}/{wl}", ingest_celery(db, path, n, env, repeat), t)
                    r["celery"][f"{wl}/{n}"] = res
                    if n == 2 and min(res["per_worker"]) == 0:
                        errors.append(
                            f"celery2/{wl}: one worker processed no chunk {res['per_worker']}"
                        )
        if "info" in parts:
            log("info: bench.ingest (engine only, no database) ...")
            info = measured(
                [PY, "-m", "bench.ingest", files["squid_5m"], "--fmt", "squid", "--persist",
                 "none", "--workers", str(os.cpu_count() or 1)],
                env=env,
            )  # fmt: skip
            r["engine_only"] = {"wall": info["wall"], "cpu": info["cpu"], "rss_mb": info["rss_mb"]}
    finally:
        if not os.environ.get("BENCH_KEEP_DB"):
            db.drop_all()
    r["loadavg_end"] = os.getloadavg()
    r["bench_seconds"] = time.perf_counter() - started
    r["errors"] = errors
    summarise(r)
    (DATA / f"results-s{scale:g}.json").write_text(json.dumps(r, indent=1, default=str))
    report(r)
    return 1 if errors else 0


def summarise(r: dict) -> None:
    s, c = r["sync"], r["celery"]
    if "squid_5m" in s and "grep" in r:
        r["P1"] = s["squid_5m"]["wall"] / r["grep"]["wall"]
        r["P1_cpu"] = s["squid_5m"]["cpu"] / max(r["grep"]["cpu"], 1e-6)
    if "cloudtrail" in s:
        r["P3"] = s["cloudtrail"]["wall"] / r["gunzip"]["wall"]
        r["P3_cpu"] = s["cloudtrail"]["cpu"] / max(r["gunzip"]["cpu"], 1e-6)
    if "squid_10m" in s:
        r["P2"] = s["squid_10m"]["rss_mb"] / s["squid_5m"]["rss_mb"]
    r["scale_out"] = {}
    for wl, ref in (("squid_5m", "grep"), ("cloudtrail", "gunzip")):
        if f"{wl}/1" not in c:
            continue
        one, two = c[f"{wl}/1"], c[f"{wl}/2"]
        serial_s = serial_seconds(one["wall"], one["facts"])
        serial = serial_s / one["wall"]
        ref_wall = r[ref]["wall"] if ref in r else None
        r["scale_out"][wl] = {
            "wall_1": one["wall"],
            "wall_2": two["wall"],
            "ratio_1": one["wall"] / ref_wall if ref_wall else None,
            "ratio_2": two["wall"] / ref_wall if ref_wall else None,
            "speedup_2": one["wall"] / two["wall"],
            "serial_s": serial_s,
            "final_s": one["facts"].get("t_final", 0),
            "write_s": one["facts"].get("t_merge", 0) - one["facts"].get("t_final", 0),
            "parts": one["facts"].get("parts", 1),
            "serial_fraction": serial,
            "amdahl_2": amdahl(serial, 2),
            "amdahl_4": amdahl(serial, 4),
            "amdahl_8": amdahl(serial, 8),
            "per_worker_2": two["per_worker"],
        }


def _tail(measured: dict) -> str:
    f = measured["facts"]
    return (
        f"after the last chunk: write in {f.get('parts', 1)} rollup parts + the LLMjacking part "
        f"{f.get('t_merge', 0) - f.get('t_final', 0):.2f}s, final step {f.get('t_final', 0):.2f}s"
    )


def _load(values) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def _ratio(value: float | None) -> str:
    return f" ({value:.2f}x)" if value else ""


def report(r: dict) -> None:
    s = r["sync"]
    lines = [
        f"Sightline ingest bench, user path (BENCH_SCALE={r['scale']}, {r['cores']} cores, "
        f"chunks {r['chunk_bytes'] / 2**20:.1f} MB, best of {r['repeat']}, parts "
        f"{','.join(r['parts'])}; {r['bench_seconds'] / 60:.1f} min)",
        f"load average (1/5/15 min): {_load(r['loadavg_start'])} at start, "
        f"{_load(r['loadavg_end'])} at end",
    ]
    if "P1" in r:
        lines.append(
            f"P1 {s['squid_5m']['facts'].get('lines_read', 0):,}-line Squid: grep -F -c -f "
            f"{r['grep']['wall']:.2f}s; manage.py ingest --sync {s['squid_5m']['wall']:.2f}s "
            f"= {r['P1']:.2f}x [goal <= 3x] (CPU {r['P1_cpu']:.2f}x; {_tail(s['squid_5m'])})"
        )
    if "P3" in r:
        lines.append(
            f"P3 CloudTrail {s['cloudtrail']['facts'].get('lines_read', 0):,} events in "
            f"{s['cloudtrail']['facts'].get('files', 0)} files: gzip -dc | wc -c "
            f"{r['gunzip']['wall']:.2f}s; manage.py ingest --sync {s['cloudtrail']['wall']:.2f}s "
            f"= {r['P3']:.2f}x [goal <= 2.5x] (CPU {r['P3_cpu']:.2f}x; {_tail(s['cloudtrail'])})"
        )
    if "P2" in r:
        ct = f"; CloudTrail {s['cloudtrail']['rss_mb']:.0f} MB" if "cloudtrail" in s else ""
        lines.append(
            f"P2 peak RSS of the ingest process tree: {s['squid_10m']['rss_mb']:.0f} MB at 10M "
            f"vs {s['squid_5m']['rss_mb']:.0f} MB at 5M = {r['P2']:.3f}x [goal <= 1.1x, "
            f"<= 512 MB]{ct}"
        )
    for wl, so in r["scale_out"].items():
        lines.append(
            f"Celery {wl}: 1 worker {so['wall_1']:.2f}s{_ratio(so['ratio_1'])}, 2 workers "
            f"{so['wall_2']:.2f}s{_ratio(so['ratio_2'])} = {so['speedup_2']:.2f}x speed-up "
            f"[goal >= 1.7x], chunks per worker {so['per_worker_2']}; 1 worker: write in "
            f"{so['parts']} rollup parts + the LLMjacking part {so['write_s']:.2f}s, final step "
            f"(merge, other rules) {so['final_s']:.2f}s; serial part (all but chunks, file "
            "hash and parts: registration, "
            f"planning, final step) {so['serial_s']:.2f}s = {so['serial_fraction']:.1%} of "
            f"1-worker wall [goal <= 10%] -> Amdahl {so['amdahl_2']:.2f}x at 2 workers, "
            f"{so['amdahl_4']:.2f}x at 4, {so['amdahl_8']:.2f}x at 8"
        )
    if "engine_only" in r and "grep" in r:
        e = r["engine_only"]
        lines.append(
            f"info: bench.ingest engine only (no database, {r['cores']} processes) "
            f"{e['wall']:.2f}s = {e['wall'] / r['grep']['wall']:.2f}x grep"
        )
    lines.append(
        "correctness: "
        + (
            "all counts equal the ground truth"
            if not r["errors"]
            else f"{len(r['errors'])} MISMATCHES: {r['errors'][:8]}"
        )
    )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
