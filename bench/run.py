"""`make bench`: generate (seeded) data, check counts against the ground truth, time P1-P4.

Sizes scale with BENCH_SCALE (default 1.0: 5M/10M/20M Squid lines, 1M CloudTrail events in
100 files). BENCH_REPEAT (default 2) runs every timed command that many times and keeps the
fastest, for both sides of each ratio. DATABASE_URL overrides the default sl_bench database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
PY = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sl_bench"
sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402


def log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def timed(cmd: list[str] | str, *, env: dict | None = None, shell: bool = False, before=None):
    """Best run over BENCH_REPEAT: (wall s, CPU s of the process tree, stdout)."""
    best = (float("inf"), 0.0, "")
    for _ in range(int(os.environ.get("BENCH_REPEAT", "2"))):
        if before:
            before()
        _cpu_delta()
        t = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, shell=shell, text=True
        )
        out, err = proc.communicate()
        el = time.perf_counter() - t
        # communicate() reaped the child; its rusage (incl. waited-for descendants) is in
        # RUSAGE_CHILDREN as a delta, so take it around the run instead.
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd!r} failed: {err[-2000:]}")
        if el < best[0]:
            best = (el, _cpu_delta(), out)
        else:
            _cpu_delta()
    return best


_LAST_CPU = [0.0]


def _cpu_delta() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = ru.ru_utime + ru.ru_stime
    delta = total - _LAST_CPU[0]
    _LAST_CPU[0] = total
    return delta


def prepare_db(env: dict) -> str:
    """Create and migrate the bench database; fall back to plain COPY when that fails."""
    url = env["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    try:
        import psycopg

        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        proc = subprocess.run(
            [PY, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            log("migrate failed, persisting with plain COPY instead:\n" + proc.stderr[-1500:])
            return "copy"
        return "dd"
    except Exception as exc:  # noqa: BLE001 - report and go on without a database
        log(f"no Postgres ({exc}); persistence skipped")
        return "none"


def clear_db(env: dict, mode: str) -> None:
    if mode == "none":
        return
    import psycopg

    table = "discovery_usagerollup" if mode == "dd" else "bench_usage_rollup"
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (x int)" if mode == "copy" else "SELECT 1"
        )
        conn.execute(f"DROP TABLE IF EXISTS {table}" if mode == "copy" else f"TRUNCATE {table}")


def db_summary(env: dict, mode: str) -> dict:
    """Per app hits and distinct identities as stored in Postgres."""
    import psycopg

    if mode == "dd":
        sql = (
            "SELECT CASE WHEN app_key = '' THEN 'host:' || host ELSE app_key END, "
            "sum(requests), count(DISTINCT identity) FROM discovery_usagerollup GROUP BY 1"
        )
    else:
        sql = (
            "SELECT subject, sum(requests), count(DISTINCT identity) FROM bench_usage_rollup "
            "GROUP BY 1"
        )
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return {k: {"hits": int(h), "users": int(u)} for k, h, u in conn.execute(sql).fetchall()}


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
        "squid_20m": DATA / f"squid_{tag}_x4.log",
        "cloudtrail": DATA / f"cloudtrail_{tag}",
    }
    log(f"generating {base:,} Squid lines ...")
    truth = generate.squid(files["squid_5m"], base)
    generate.repeat(files["squid_5m"], files["squid_10m"], 2)
    generate.repeat(files["squid_5m"], files["squid_20m"], 4)
    log(f"generating {int(1_000_000 * scale):,} CloudTrail events in 100 files ...")
    shutil.rmtree(files["cloudtrail"], ignore_errors=True)
    ct = generate.cloudtrail(files["cloudtrail"], int(1_000_000 * scale), 100)
    out = {
        "files": {k: str(v) for k, v in files.items()},
        "truth": {
            "squid_5m": truth,
            "squid_10m": generate.scale_truth(truth, 2),
            "squid_20m": generate.scale_truth(truth, 4),
            "cloudtrail": ct,
        },
    }
    meta.write_text(json.dumps(out))
    return out


def ingest(path: str, fmt: str, workers: int, mode: str, env: dict, detect: bool = False):
    cmd = [
        PY,
        "-m",
        "bench.ingest",
        path,
        "--fmt",
        fmt,
        "--workers",
        str(workers),
        "--persist",
        mode,
    ]
    if detect:
        cmd.append("--detect")
    wall, cpu, out = timed(cmd, env=env, before=lambda: clear_db(env, mode))
    res = json.loads(out.strip().splitlines()[-1])
    res["cpu"] = cpu
    return wall, res


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


def main() -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    env = dict(
        os.environ, DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DB), PYTHONPATH=str(ROOT)
    )
    env.pop("DEBUG", None)
    env["DEBUG"] = "1"
    meta = ensure_data(scale)
    files, truth = meta["files"], meta["truth"]
    mode = prepare_db(env)
    log(f"persistence: {mode}; workers: {os.cpu_count()} cores")
    hosts = DATA / "catalogue-hosts.txt"
    from discovery import catalog_files
    from discovery.engine.matching import Catalog

    hosts.write_text("\n".join(Catalog.from_yaml(catalog_files()[-1]).prefilter_tokens()) + "\n")
    results: dict = {
        "scale": scale,
        "persistence": mode,
        "cores": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
    }
    errors: list[str] = []

    # P1 -------------------------------------------------------------------------------------
    log("P1: grep baseline and full ingest of the 5M-line file ...")
    _cpu_delta()
    t_grep, cpu_grep, out = timed(["grep", "-F", "-c", "-f", str(hosts), files["squid_5m"]])
    results["grep_matches"] = int(out.strip())
    p1 = {}
    for w in (1, 2):
        wall, r = ingest(files["squid_5m"], "squid", w, mode, env)
        errors += compare(f"squid_5m/{w}w", r["apps"], truth["squid_5m"])
        if mode != "none" and w == 1:
            errors += compare("squid_5m/db", db_summary(env, mode), truth["squid_5m"])
        p1[w] = {
            "wall": wall,
            "cpu": r["cpu"],
            **{
                k: r[k]
                for k in (
                    "t_pipeline",
                    "t_persist",
                    "peak_rss_mb",
                    "rollup_rows",
                    "lines_read",
                    "parsed",
                )
            },
        }
    wall_np, r_np = ingest(files["squid_5m"], "squid", 1, "none", env)
    errors += compare("squid_5m/no-db", r_np["apps"], truth["squid_5m"])
    p1["no_db_1w"] = {"wall": wall_np, "cpu": r_np["cpu"], "peak_rss_mb": r_np["peak_rss_mb"]}
    results["P1"] = {
        "grep_s": t_grep,
        "grep_cpu_s": cpu_grep,
        "ingest": p1,
        "cpu_ratio_1w": p1[1]["cpu"] / max(cpu_grep, 1e-6),
        "ratio_1w": p1[1]["wall"] / t_grep,
        "ratio_2w": p1[2]["wall"] / t_grep,
    }

    # P2 -------------------------------------------------------------------------------------
    log("P2: peak RSS at 10M lines ...")
    wall10, r10 = ingest(files["squid_10m"], "squid", 1, mode, env)
    errors += compare("squid_10m", r10["apps"], truth["squid_10m"])
    results["P2"] = {
        "rss_5m_mb": p1[1]["peak_rss_mb"],
        "rss_10m_mb": r10["peak_rss_mb"],
        "ratio": r10["peak_rss_mb"] / p1[1]["peak_rss_mb"],
        "wall_10m": wall10,
    }

    # P3 -------------------------------------------------------------------------------------
    log("P3: CloudTrail ...")
    ct = files["cloudtrail"]
    gz_list = sorted(str(p) for p in Path(ct).rglob("*_CloudTrail_*.json.gz"))
    list_file = DATA / "ct-files.txt"
    list_file.write_text("\n".join(gz_list) + "\n")
    _cpu_delta()
    t_gz, cpu_gz, out = timed(f"xargs -a {list_file} gzip -dc | wc -c", shell=True)
    t_oj, cpu_oj, _ = timed([PY, "-m", "bench.orjson_loop", str(list_file)], env=env)
    wall_ct, rct = ingest(ct, "cloudtrail", 1, mode, env, detect=True)
    errors += compare("cloudtrail", rct["apps"], truth["cloudtrail"])
    if rct["lines_read"] != truth["cloudtrail"]["events"]:
        errors.append(f"cloudtrail events {rct['lines_read']} != {truth['cloudtrail']['events']}")
    fired = {
        rule
        for rule, principal in rct["detections"]
        if principal == truth["cloudtrail"]["attacker"]
    }
    missing = set(truth["cloudtrail"]["expected_rules"]) - fired
    if missing:
        errors.append(f"cloudtrail: rules not fired on the injected attack: {sorted(missing)}")
    results["P3"] = {
        "gzip_wc_s": t_gz,
        "orjson_loop_s": t_oj,
        "gzip_cpu_s": cpu_gz,
        "orjson_cpu_s": cpu_oj,
        "cpu_ratio_vs_gzip": rct["cpu"] / max(cpu_gz, 1e-6),
        "ingest": {
            "wall": wall_ct,
            "cpu": rct["cpu"],
            **{
                k: rct[k]
                for k in (
                    "t_pipeline",
                    "t_detect",
                    "t_persist",
                    "peak_rss_mb",
                    "cloud_events",
                    "lines_read",
                )
            },
        },
        "ratio_vs_gzip": wall_ct / t_gz,
        "faster_than_orjson": wall_ct < t_oj,
        "ratio_vs_orjson": wall_ct / t_oj,
        "uncompressed_bytes": int(out.strip()),
        "rules_on_attacker": sorted(fired),
    }

    # P4 -------------------------------------------------------------------------------------
    log("P4: 20M lines, 1 vs 2 workers ...")
    p4 = {}
    for w in (1, 2):
        wall, r = ingest(files["squid_20m"], "squid", w, mode, env)
        errors += compare(f"squid_20m/{w}w", r["apps"], truth["squid_20m"])
        p4[w] = {
            "wall": wall,
            "cpu": r["cpu"],
            "lines": r["lines_read"],
            "lines_per_s": r["lines_read"] / wall,
            "peak_rss_mb": r["peak_rss_mb"],
        }
    results["P4"] = {"workers": p4, "speedup": p4[1]["wall"] / p4[2]["wall"]}
    results["correctness_errors"] = errors
    results["loadavg_end"] = os.getloadavg()
    (DATA / f"results-s{scale:g}.json").write_text(json.dumps(results, indent=1))
    report(results)
    return 1 if errors else 0


def report(r: dict) -> None:
    p1, p2, p3, p4 = r["P1"], r["P2"], r["P3"], r["P4"]
    lines = [
        f"Sightline discovery bench (BENCH_SCALE={r['scale']}, {r['cores']} cores, persistence={r['persistence']})",
        f"P1 {p1['ingest'][1]['lines_read']:,}-line Squid: grep -F -c -f {p1['grep_s']:.2f}s; ingest 1 worker {p1['ingest'][1]['wall']:.2f}s "
        f"({p1['ratio_1w']:.2f}x), 2 workers {p1['ingest'][2]['wall']:.2f}s ({p1['ratio_2w']:.2f}x) "
        f"[goal <= 3x]; peak RSS {p1['ingest'][1]['peak_rss_mb']:.0f} MB / "
        f"{p1['ingest'][2]['peak_rss_mb']:.0f} MB [goal <= 512]; CPU: grep {p1['grep_cpu_s']:.2f}s, "
        f"ingest 1 worker {p1['ingest'][1]['cpu']:.2f}s ({p1['cpu_ratio_1w']:.2f}x)",
        f"P2 peak RSS 10M vs 5M: {p2['rss_10m_mb']:.0f} MB / {p2['rss_5m_mb']:.0f} MB = {p2['ratio']:.3f}x [goal <= 1.1x]",
        f"P3 CloudTrail {p3['ingest']['lines_read']:,} events: gzip -dc|wc -c {p3['gzip_wc_s']:.2f}s; "
        f"orjson loop {p3['orjson_loop_s']:.2f}s; ingest+rules {p3['ingest']['wall']:.2f}s "
        f"({p3['ratio_vs_gzip']:.2f}x gzip [goal <= 2.5x], {p3['ratio_vs_orjson']:.2f}x orjson [goal < 1]); "
        f"peak RSS {p3['ingest']['peak_rss_mb']:.0f} MB; CPU: gzip|wc {p3['gzip_cpu_s']:.2f}s, orjson "
        f"{p3['orjson_cpu_s']:.2f}s, ingest {p3['ingest']['cpu']:.2f}s ({p3['cpu_ratio_vs_gzip']:.2f}x); "
        f"rules on attacker {p3['rules_on_attacker']}",
        f"P4 {p4['workers'][1]['lines']:,} lines: 1 worker {p4['workers'][1]['wall']:.2f}s, 2 workers {p4['workers'][2]['wall']:.2f}s "
        f"= {p4['speedup']:.2f}x [goal >= 1.6x]",
        f"P1 without the database (1 worker): {p1['ingest']['no_db_1w']['wall']:.2f}s wall "
        f"({p1['ingest']['no_db_1w']['wall'] / p1['grep_s']:.2f}x), "
        f"{p1['ingest']['no_db_1w']['cpu']:.2f}s CPU ({p1['ingest']['no_db_1w']['cpu'] / p1['grep_cpu_s']:.2f}x)",
        f"P1 breakdown (1 worker, wall): pipeline {p1['ingest'][1]['t_pipeline']:.2f}s, "
        f"persist {p1['ingest'][1]['rollup_rows']:,} rollup rows {p1['ingest'][1]['t_persist']:.2f}s; "
        f"load average at start {r['loadavg_start'][0]:.1f}, at end {r['loadavg_end'][0]:.1f}",
        "correctness: "
        + (
            "all counts equal the ground truth"
            if not r["correctness_errors"]
            else f"{len(r['correctness_errors'])} MISMATCHES: {r['correctness_errors'][:5]}"
        ),
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
