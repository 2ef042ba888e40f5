"""Guards benchmark: do they catch tampered summaries and leave faithful ones alone?

`python -m bench guards`. 2,000 real papers from `../shared/fixtures/arxiv-days`, each with a
faithful summary and a tampered one written from its abstract (`bench.guard_corpus`), and 500
of each written from passages of the recorded paper's full text, as parsed from its arXiv HTML
page and from its PDF (`bench.guard_fulltext`), checked against that full text. Reports per
source (abstract, html, pdf) the flag rate on each (goals: tampered ≥ 95 %, faithful ≤ 5 %),
per kind of tampering, what flagged the faithful ones, and the time the guards take per summary.
"""

from __future__ import annotations

import time
from collections import Counter

from bench.guard_corpus import TAMPERS, Case, cases, load_papers
from bench.guard_fulltext import fulltext_cases
from domain.guard_flags import parse_flag
from jobs.summarize.guards import apply_guards

PAPERS = 2000
FULLTEXT_CASES = 500  # faithful ones per full-text source, and as many tampered
SEED = 12


def flag_rates(all_cases: list[Case]) -> dict[str, object]:
    """Flag rates on faithful and tampered cases, per tamper kind, and faithful flag kinds."""
    flagged: Counter[str] = Counter()
    total: Counter[str] = Counter()
    faithful_kinds: Counter[str] = Counter()
    for case in all_cases:
        _, flags = apply_guards(case.meta, case.content, case.text, case.links)
        group = case.tamper or "faithful"
        total[group] += 1
        flagged[group] += bool(flags)
        if case.tamper is None:
            faithful_kinds.update(parse_flag(flag).kind for flag in flags)
    tampered = sum(flagged[kind] for kind in TAMPERS)
    tampered_total = sum(total[kind] for kind in TAMPERS)
    return {
        "faithful_flag_rate": round(flagged["faithful"] / max(1, total["faithful"]), 4),
        "tampered_flag_rate": round(tampered / max(1, tampered_total), 4),
        "per_tamper": {kind: round(flagged[kind] / max(1, total[kind]), 4) for kind in TAMPERS},
        "faithful_flags_by_kind": dict(faithful_kinds),
        "faithful": total["faithful"],
        "tampered": tampered_total,
    }


def by_source(all_cases: list[Case]) -> dict[str, dict[str, object]]:
    """`flag_rates` of each source's cases (abstract, html, pdf), with the guards' time."""
    figures = {}
    for source in dict.fromkeys(case.source for case in all_cases):
        group = [case for case in all_cases if case.source == source]
        started = time.perf_counter()
        figures[source] = flag_rates(group)
        elapsed = time.perf_counter() - started
        figures[source]["ms_per_summary"] = round(elapsed * 1000 / len(group), 2)
    return figures


def main() -> dict[str, object]:
    all_cases = cases(load_papers(PAPERS, SEED), SEED) + fulltext_cases(FULLTEXT_CASES, SEED)
    figures = by_source(all_cases)
    for source, rates in figures.items():
        print(f"[{source}]")
        for name, value in rates.items():
            print(f"  {name}: {value}")
    return dict(figures)


if __name__ == "__main__":
    main()
