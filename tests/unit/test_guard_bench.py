"""The guards' benchmark in small: 150 real abstracts, fixed seed, both goals met.

Faithful summaries (built only from each abstract's numbers, links and phrases, rewritten as a
Chinese summary writes them) must pass; tampered ones (a number changed or invented, a link
invented, an instruction injected) must be flagged. `python -m bench guards` runs 2,000.
"""

from __future__ import annotations

from bench.bench_guards import flag_rates
from bench.guard_corpus import TAMPERS, cases, load_papers

SEED = 7


def test_guards_catch_tampering_and_pass_faithful_summaries() -> None:
    figures = flag_rates(cases(load_papers(150, SEED), SEED))
    assert figures["faithful"] == figures["tampered"] == 150
    assert figures["tampered_flag_rate"] >= 0.95  # type: ignore[operator]
    assert figures["faithful_flag_rate"] <= 0.05  # type: ignore[operator]
    per_tamper = figures["per_tamper"]
    assert isinstance(per_tamper, dict) and set(per_tamper) == set(TAMPERS)
    assert per_tamper["invented_url"] == per_tamper["injection"] == 1.0


def test_the_corpus_is_the_same_for_the_same_seed() -> None:
    first, second = (cases(load_papers(20, SEED), SEED) for _ in range(2))
    assert [case.content for case in first] == [case.content for case in second]
    assert {case.tamper for case in first} == {None, *TAMPERS}
