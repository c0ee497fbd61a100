"""P3 baseline: a plain orjson loop that only counts CloudTrail events by eventName."""

import gzip
import sys
from collections import Counter

import orjson


def main() -> int:
    counts: Counter = Counter()
    with open(sys.argv[1]) as fh:
        for name in fh.read().split():
            with open(name, "rb") as f:
                doc = orjson.loads(gzip.decompress(f.read()))
            for rec in doc["Records"]:
                counts[rec["eventName"]] += 1
    sys.stdout.write(f"{sum(counts.values())}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
