# ruff: noqa: T201
"""Evidence-pack benchmark: 200 systems and 500 evidence files into a throwaway database, then one build.

Run: .venv/bin/python bench/pack_bench.py [--systems 200] [--files 500] [--file-kb 200]
Reports the build time (target <= 60 s) and the process's peak RSS during the build.
"""

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--systems", type=int, default=200)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--file-kb", type=int, default=200, help="size of each evidence file")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway work dir")
    parser.add_argument("--limit", type=float, default=60.0, help="fail above this many seconds")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sightline-pack-bench-"))
    os.environ["DEBUG"] = "1"
    os.environ["DATABASE_URL"] = os.environ.get(
        "PACK_BENCH_DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}"
    )
    os.environ["SIGHTLINE_STORAGE_DIR"] = str(work / "storage")
    os.environ["SIGHTLINE_PACK_SIGNING_KEY_PATH"] = str(work / "keys" / "pack.ed25519")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from evidence.builder import pack_build
    from evidence.manifest import verify_pack
    from evidence.services import pack_create
    from evidence.signing import ensure_signing_key
    from inventory.models import Vendor
    from tests.evidence.world import NOW, make_content, make_discovery, make_system

    ensure_signing_key()
    user = get_user_model().objects.create_user("bench-auditor", password="x" * 20)
    user.groups.add(Group.objects.get(name="auditor"))
    officer = get_user_model().objects.create_user("bench-officer", password="x" * 20)

    t0 = time.perf_counter()
    content = make_content()
    vendors = [Vendor.objects.create(name=f"Vendor {i:02d} AI Ltd") for i in range(20)]
    with_vendor = [n for n in range(1, args.systems + 1) if n % 4]
    per, extra = divmod(args.files, max(len(with_vendor), 1))
    systems = []
    for n in range(1, args.systems + 1):
        files = 0
        if n % 4:
            idx = with_vendor.index(n)
            files = per + (1 if idx < extra else 0)
        systems.append(
            make_system(
                actor=officer,
                content=content,
                n=n,
                vendor=vendors[n % 20] if n % 4 else None,
                files=files,
                missing=n == 1,
                file_bytes=args.file_kb * 1024,
            )
        )
    make_discovery(systems)
    seeded = time.perf_counter() - t0
    from assessments.models import EvidenceFile

    print(
        f"seeded {len(systems)} systems, {EvidenceFile.objects.count()} evidence files "
        f"of {args.file_kb} KB in {seeded:.1f} s"
    )

    pack = pack_create(
        actor=user,
        period_from=NOW.date().replace(month=1, day=1),
        period_to=NOW.date(),
        queue=False,
    )
    before = rss_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak-RSS counter (VmHWM) to now
    t1, c1 = time.perf_counter(), time.process_time()
    k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    pack = pack_build(pack_id=pack.pk)
    elapsed, cpu = time.perf_counter() - t1, time.process_time() - c1
    k2 = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (k2.ru_utime + k2.ru_stime) - (k1.ru_utime + k1.ru_stime)
    peak = rss_kb("VmHWM")
    if pack.status != "done":
        print(f"FAILED: {pack.error}")
        return 1
    zip_path = Path(os.environ["SIGHTLINE_STORAGE_DIR"]) / pack.zip_path
    report = verify_pack(zip_path)
    print(
        f"pack #{pack.pk}: {pack.pdf_pages} PDF pages, {pack.file_count} files in ZIP "
        f"({pack.zip_size / 1e6:.1f} MB), {pack.missing_count} missing evidence listed, "
        f"verified={report.ok}"
    )
    print(
        f"build time: {elapsed:.1f} s (limit {args.limit:.0f} s); phases: {getattr(pack, 'timings', {})}"
    )
    print(
        f"CPU time of the build: {cpu:.1f} s in this process + {child_cpu:.1f} s in "
        f"{settings.SIGHTLINE_PACK_RENDER_PROCESSES} PDF layout processes "
        f"(wall time above includes waiting for a busy CPU)"
    )
    print(f"RSS before build: {before / 1024:.0f} MB; peak RSS during build: {peak / 1024:.0f} MB")
    if args.keep:
        print(f"work dir kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    ok = elapsed <= args.limit and report.ok
    print("bench-pack: OK" if ok else "bench-pack: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
