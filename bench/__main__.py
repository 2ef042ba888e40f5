"""`make bench` / `python -m bench [name ...]`: run the benchmarks, print and save their figures.

Each `bench/bench_<name>.py` has a `main() -> dict`; results land in `bench/results/<name>.json`.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

BENCHES = (
    "summarize",
    "search",
    "topics",
    "telegram",
    "delivery",
    "fairness",
    "http",
    "failover",
    "planning",
    "fleet_delivery",
    "paid",
    "guards",
    "fulltext",
    "web",
    "feeds",
    "ranking",
    "figures",
    "like",
)
RESULTS = Path(__file__).parent / "results"


def run(name: str) -> dict[str, object]:
    module = importlib.import_module(f"bench.bench_{name}")
    started = time.perf_counter()
    figures: dict[str, object] = module.main()
    figures["wall_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return figures


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}")
        return 2
    for name in names:
        print(f"\n=== bench {name} ===")
        run(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
