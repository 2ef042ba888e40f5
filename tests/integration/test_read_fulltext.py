"""Summaries from the whole paper: the fake arXiv serves HTML/PDF/images over HTTP, the fake
LLM reads what it is sent, real SQLite and PostgreSQL keep the text and the key figure."""

from __future__ import annotations

from core.config import Settings
from core.services.papers import key_figure
from core.services.review import stats
from domain.fulltext import TextSource
from domain.types import PaperMeta
from jobs.read.reader import PaperReader
from jobs.summarize import run_summarize
from storage.db import Database
from storage.queries.paper_views import paper_views
from storage.queries.papers import upsert_papers
from storage.queries.summaries import best_summaries
from storage.types import utcnow
from tests.conftest import make_settings
from tests.factories import make_paper
from tests.fakes.arxiv_pages import RECORDED, bomb_png, latexml_page
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI

PAPER = make_paper(arxiv_id=RECORDED.removesuffix("v1"), version=1, title="Tell me about yourself")


def _settings(arxiv: FakeArxiv, openai: FakeOpenAI | None = None, **extra: object) -> Settings:
    llm = {"openai_api_key": "sk-test", "openai_base_url": openai.base_url} if openai else {}
    values = {**arxiv.settings_overrides(fulltext=True, arxiv_retries=1), **llm, **extra}
    return make_settings(**values)


async def _store(db: Database, *papers: PaperMeta) -> list[int]:
    async with db.session() as session:
        return (await upsert_papers(session, papers=list(papers))).paper_ids


def _full_text_requests(arxiv: FakeArxiv) -> list[str]:
    return [r.path for r in arxiv.requests if r.path.startswith(("/html/", "/pdf/"))]


async def test_the_llm_reads_the_paper_and_the_key_figure_is_kept(
    db: Database, fake_arxiv: FakeArxiv, fake_openai: FakeOpenAI
) -> None:
    fake_arxiv.pages.add_recorded()
    settings = _settings(fake_arxiv, fake_openai)
    (paper_id,) = await _store(db, PAPER)
    report = await run_summarize(settings.llm, db, reader=settings.reader)
    assert (report.llm_ok, report.read_from, report.figures) == (1, {"html": 1}, 1)
    assert "per paper" in report.message and "read 1 html" in report.message
    body = fake_openai.requests[0].paper["body"]
    assert body.startswith("## 1 Introduction\nLarge Language Models (LLMs) can learn")
    assert "## 8 Conclusion" in body and "## References" not in body
    assert "Appendix" not in body
    async with db.session() as session:
        views = await paper_views(session, paper_ids=[paper_id], language="zh")
        summary = (await best_summaries(session, paper_ids=[paper_id], language="zh"))[paper_id]
    figure = views[paper_id].figure
    stored = await key_figure(db, paper_id=paper_id)
    assert figure is not None and figure.label == "Figure 1"
    assert figure.caption.startswith("Models can describe a learned behavioral policy")
    assert (figure.mime_type, figure.width, figure.height) == ("image/png", 301, 200)
    assert figure.source_url == f"{fake_arxiv.html_url}/{RECORDED}/x1.png"
    assert stored is not None and stored[1].startswith(b"\x89PNG")
    assert summary.text_source is TextSource.HTML
    figures = await stats(db, now=utcnow(), tz=settings.tz)  # /stats: cost per paper
    assert figures.llm_papers_today == 1 and figures.llm_tokens_in_today == report.tokens_in


async def test_a_rerun_downloads_nothing(
    db: Database, fake_arxiv: FakeArxiv, fake_openai: FakeOpenAI
) -> None:
    fake_arxiv.pages.add_recorded()
    settings = _settings(fake_arxiv, fake_openai)
    await _store(db, PAPER)
    await run_summarize(settings.llm, db, reader=settings.reader, language="zh")
    fetched = _full_text_requests(fake_arxiv)
    assert fetched == [f"/html/{RECORDED}", f"/html/{RECORDED}/x1.png"]
    again = await run_summarize(settings.llm, db, reader=settings.reader, language="en")
    assert again.llm_ok == 1 and again.downloaded_bytes == 0
    assert _full_text_requests(fake_arxiv) == fetched
    assert "## 1 Introduction" in fake_openai.requests[-1].paper["body"]


async def test_without_html_the_pdf_is_read(
    db: Database, fake_arxiv: FakeArxiv, fake_openai: FakeOpenAI
) -> None:
    fake_arxiv.pages.add_recorded(html=False)
    settings = _settings(fake_arxiv, fake_openai)
    (paper_id,) = await _store(db, PAPER)
    report = await run_summarize(settings.llm, db, reader=settings.reader)
    assert report.read_from == {"pdf": 1} and report.figures == 0
    assert _full_text_requests(fake_arxiv) == [f"/html/{RECORDED}", f"/pdf/{RECORDED}"]
    assert "## 1 Introduction" in fake_openai.requests[0].paper["body"]
    async with db.session() as session:
        summary = (await best_summaries(session, paper_ids=[paper_id], language="zh"))[paper_id]
    assert summary.text_source is TextSource.PDF


async def test_neither_means_the_abstract_and_is_remembered(
    db: Database, fake_arxiv: FakeArxiv, fake_openai: FakeOpenAI
) -> None:
    settings = _settings(fake_arxiv, fake_openai)
    (paper_id,) = await _store(db, PAPER)
    report = await run_summarize(settings.llm, db, reader=settings.reader)
    assert report.read_from == {"abstract": 1} and report.llm_ok == 1
    assert "body" not in fake_openai.requests[0].paper
    reader = PaperReader(settings.reader, db)
    assert (await reader.read(paper_id, PAPER)).source is TextSource.ABSTRACT
    assert len(_full_text_requests(fake_arxiv)) == 2  # the 404s of the first run only


async def test_an_outage_costs_the_full_text_not_the_summary_and_is_retried_later(
    db: Database, fake_arxiv: FakeArxiv, fake_openai: FakeOpenAI
) -> None:
    fake_arxiv.pages.add_recorded()
    fake_arxiv.fail(503, times=None, path="/html/")
    settings = _settings(fake_arxiv, fake_openai)
    (paper_id,) = await _store(db, PAPER)
    report = await run_summarize(settings.llm, db, reader=settings.reader)
    assert report.llm_ok == 1 and report.read_from == {"abstract": 1}
    fake_arxiv.clear_faults()
    later = await PaperReader(settings.reader, db).read(paper_id, PAPER)
    assert later.source is TextSource.HTML


async def test_the_extractive_summary_uses_the_full_text(
    db: Database, fake_arxiv: FakeArxiv
) -> None:
    fake_arxiv.pages.add_recorded()
    settings = _settings(fake_arxiv)
    (paper_id,) = await _store(db, PAPER)
    report = await run_summarize(settings.llm, db, reader=settings.reader)
    assert report.extractive == 1 and report.read_from == {"html": 1}
    async with db.session() as session:
        summary = (await best_summaries(session, paper_ids=[paper_id], language="zh"))[paper_id]
    assert summary.text_source is TextSource.HTML
    assert summary.content.results and summary.content.method
    assert summary.content.code_url == "https://github.com/XuchanBao/behavioral-self-awareness"


async def test_a_bomb_or_a_foreign_image_is_never_kept(db: Database, fake_arxiv: FakeArxiv) -> None:
    figures = [("x1.png", "Overview of the framework."), ("x2.png", "Results.")]
    fake_arxiv.pages.add_page("2611.99991v1", latexml_page(figures=figures), {"x1.png": bomb_png()})
    outside = [("https://example.com/overview.png", "Overview of everything.")]
    fake_arxiv.pages.add_page("2611.99992v1", latexml_page(figures=outside))
    settings = _settings(fake_arxiv)
    ids = await _store(db, make_paper(arxiv_id="2611.99991"), make_paper(arxiv_id="2611.99992"))
    report = await run_summarize(settings.llm, db, reader=settings.reader)
    assert report.read_from == {"html": 2} and report.figures == 0 and report.papers == 2
    async with db.session() as session:
        views = await paper_views(session, paper_ids=ids, language="zh")
    assert [view.figure for view in views.values()] == [None, None]
    assert not any("example.com" in path for path in _full_text_requests(fake_arxiv))


async def test_requests_keep_arxivs_spacing(db: Database, fake_arxiv: FakeArxiv) -> None:
    """The fake answers 429 to a request closer than 0.2 s to the previous one; the reader,
    paced by ARXIV_DELAY_SECONDS like the API client, is never throttled."""
    fake_arxiv.pages.add_recorded()
    fake_arxiv.pages.min_spacing = 0.2
    for n in (1, 2):
        fake_arxiv.pages.add_page(f"2611.9998{n}v1", latexml_page())
    settings = _settings(fake_arxiv, arxiv_delay_seconds=0.25)
    papers = [PAPER, make_paper(arxiv_id="2611.99981"), make_paper(arxiv_id="2611.99982")]
    await _store(db, *papers)
    report = await run_summarize(settings.llm, db, reader=settings.reader)
    assert report.read_from == {"html": 3}
    assert fake_arxiv.pages.throttled == 0
    assert len(_full_text_requests(fake_arxiv)) == 4  # three pages, one figure
