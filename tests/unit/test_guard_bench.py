"""The guards' benchmark in small: 150 real abstracts, fixed seed, both goals met.

Faithful summaries (built only from each abstract's numbers, links and phrases, rewritten as a
Chinese summary writes them) must pass; tampered ones (a number changed or invented, a link
invented, an instruction injected) must be flagged. The same over the recorded paper's full
text (its arXiv HTML page and its PDF, parsed by the reader): summaries written from passages
of it, checked against it. `python -m bench guards` runs 2,000 abstracts and 500 passages.
"""

from __future__ import annotations

from bench.bench_guards import by_source, flag_rates
from bench.guard_corpus import TAMPERS, cases, load_papers
from bench.guard_fulltext import fulltext_cases

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


def test_guards_over_the_full_text_of_the_html_page_and_the_pdf() -> None:
    figures = by_source(fulltext_cases(80, SEED))
    assert set(figures) == {"html", "pdf"}
    for rates in figures.values():
        assert rates["faithful"] == rates["tampered"] == 80
        assert rates["tampered_flag_rate"] >= 0.95  # type: ignore[operator]
        assert rates["faithful_flag_rate"] <= 0.05  # type: ignore[operator]
        per_tamper = rates["per_tamper"]
        assert isinstance(per_tamper, dict)
        assert per_tamper["invented_url"] == per_tamper["injection"] == 1.0


def test_full_text_summaries_draw_on_more_than_the_abstract() -> None:
    faithful = [case for case in fulltext_cases(40, SEED) if case.tamper is None]
    assert all(case.text and case.meta.abstract in case.text for case in faithful)
    beyond = [case for case in faithful if case.content.background not in case.meta.abstract]
    assert len(beyond) == len(faithful)  # each written from a passage past the abstract
    assert any("github.com/XuchanBao" in (case.content.code_url or "") for case in faithful)
