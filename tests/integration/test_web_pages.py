"""The web archive's pages over a real database: what is public, paging, papers, search, topics."""

from __future__ import annotations

from bot.web.site import WebConfig
from domain.types import IssueStatus
from storage.db import Database
from tests.factories import make_paper
from tests.integration.web_helpers import (
    SEED,
    Elements,
    client,
    compose,
    set_status,
    store,
    store_seed,
)
from tests.seed_papers import seed_meta, seed_summary


async def test_home_is_friendly_before_anything_is_published(db: Database) -> None:
    async with client(db) as http:
        home = await http.get("/")
        assert home.status_code == 200 and "还没有发布任何一期" in home.text
        english = await http.get("/en/")
        assert english.status_code == 200 and "Nothing published yet" in english.text


async def test_only_published_issues_are_served(db: Database) -> None:
    await store_seed(db, 6)
    await compose(db, issues=3, per_issue=2)
    await set_status(db, 1, IssueStatus.REJECTED)
    await set_status(db, 2, IssueStatus.PUBLISHED)
    await set_status(db, 3, IssueStatus.APPROVED)
    async with client(db) as http:
        assert (await http.get("/issues/2")).status_code == 200
        for hidden in ("/issues/1", "/issues/3", "/issues/4", "/en/issues/3"):
            page = await http.get(hidden)
            assert page.status_code == 404, hidden
            assert "页面不存在" in page.text or "Page not found" in page.text
        listing = Elements((await http.get("/issues")).text)
        assert "/issues/2" in listing.links()
        assert not {"/issues/1", "/issues/3"} & set(listing.links())
        home = await http.get("/")
        assert "ML Papers第2期" in home.text


async def test_an_issue_page_has_the_seed_layout(db: Database) -> None:
    await store_seed(db, 3)
    await compose(db, per_issue=3)
    await set_status(db, 1, IssueStatus.PUBLISHED)
    async with client(db, public_base_url="https://digest.example/") as http:
        page = await http.get("/issues/1")
    doc = Elements(page.text)
    assert len(doc.named("h1")) == 1 and len(doc.named("article")) == 1
    assert doc.named("html")[0]["lang"] == "zh-CN"
    text = "".join(doc.text)
    for paper in SEED[:3]:
        assert paper.title_zh in text and paper.title in text  # Chinese and English titles
        assert f"https://arxiv.org/abs/{paper.arxiv_id}" in doc.links()
        assert f"/papers/{paper.arxiv_id}" in doc.links()
    for label in (
        "ML Papers第1期",
        "推荐阅读指数",
        "研究背景",
        "算法模型",
        "核心创新点",
        "共 3 篇论文",
    ):
        assert label in text
    assert doc.meta("og:type") == "article"
    assert doc.meta("article:published_time") == "2024-04-02T08:00:00+00:00"
    assert doc.meta("og:url") == "https://digest.example/issues/1"
    canonical = [a["href"] for a in doc.named("link") if a.get("rel") == "canonical"]
    assert canonical == ["https://digest.example/issues/1"]
    assert doc.named("time")[0]["datetime"] == "2024-03-30"  # the issue's first day


async def test_issues_are_paged(db: Database) -> None:
    await store(db, [(make_paper(), seed_summary(SEED[0])) for _ in range(5)])
    await compose(db, issues=5, per_issue=1)
    for number in range(1, 6):
        await set_status(db, number, IssueStatus.PUBLISHED)
    async with client(db, WebConfig(issues_per_page=3)) as http:
        first = Elements((await http.get("/issues")).text)
        second = Elements((await http.get("/issues?page=2")).text)
        same = await http.get("/issues/page/2/")
        beyond = await http.get("/issues?page=3")
    issues = [link for link in first.links() if link.startswith("/issues/")]
    assert issues == ["/issues/5", "/issues/4", "/issues/3"]
    assert "/issues?page=2" in first.links()
    assert "/issues/2" in second.links() and "/issues/1" in second.links()
    assert "/issues" in second.links()  # back to page 1
    assert same.status_code == 200 and "/issues/1" in Elements(same.text).links()
    assert beyond.status_code == 404


async def test_a_paper_page_names_its_published_issues(db: Database) -> None:
    old_style = make_paper(arxiv_id="hep-th/9901001", title="Strings on the old arXiv")
    await store(db, [(old_style, seed_summary(SEED[0]))])
    await store_seed(db, 1)
    await compose(db, per_issue=2)
    await set_status(db, 1, IssueStatus.PUBLISHED)
    await store(db, [(seed_meta(SEED[1]), seed_summary(SEED[1]))])
    await compose(db, per_issue=2)  # issue 2 stays a draft
    async with client(db) as http:
        old = await http.get("/papers/hep-th/9901001")
        assert old.status_code == 200 and "Strings on the old arXiv" in old.text
        doc = Elements(old.text)
        assert "/issues/1" in doc.links() and len(doc.named("h1")) == 1
        draft_paper = (await http.get(f"/papers/{SEED[1].arxiv_id}")).text
        assert "/issues/2" not in Elements(draft_paper).links()  # issue 2 is a draft
        assert (await http.get("/papers/2001.00001")).status_code == 404
        assert (await http.get(f"/papers/arXiv:{SEED[0].arxiv_id}v2")).status_code == 200


async def test_search_pages_chinese_and_english(db: Database) -> None:
    await store_seed(db, 20)
    await compose(db, per_issue=20)
    await set_status(db, 1, IssueStatus.PUBLISHED)
    async with client(db) as http:
        empty = await http.get("/search")
        assert empty.status_code == 200 and 'name="q"' in empty.text
        english = await http.get("/search", params={"q": "RealHumanEval"})
        chinese = await http.get("/search", params={"q": "假新闻"})
        words = await http.get("/search", params={"q": 'model" OR (x AND'})
    assert "RealHumanEval" in english.text and "/issues/1" in Elements(english.text).links()
    assert chinese.status_code == 200 and "FineFake" in chinese.text
    assert words.status_code == 200  # syntax characters are words, not an error


async def test_topics_link_to_their_search(db: Database) -> None:
    await store_seed(db, 5)
    async with client(db) as http:
        page = Elements((await http.get("/topics")).text)
    searches = [link for link in page.links() if link.startswith("/search?q=")]
    assert searches, page.links()


async def test_english_pages_and_a_static_copy_keep_links_consistent(db: Database) -> None:
    await store_seed(db, 2)
    await compose(db, per_issue=2)
    await set_status(db, 1, IssueStatus.PUBLISHED)
    static = WebConfig(base_path="/repo", directory=True, search=False)
    async with client(db) as http, client(db, static) as copy:
        english = Elements((await http.get("/en/issues/1")).text)
        directory = Elements((await copy.get("/issues/1/")).text)
    assert english.named("html")[0]["lang"] == "en"
    # only Chinese summaries exist: shown, and marked as Chinese for fonts and screen readers
    assert any(div.get("lang") == "zh-CN" for div in english.named("div"))
    assert "/en/issues" in english.links() and "/issues/1" in english.links()  # the switch
    assert all(link.startswith(("/repo/", "https://", "#p")) for link in directory.links())
    assert f"/repo/papers/{SEED[0].arxiv_id}/" in directory.links()
    assert not any("/search" in link for link in directory.links())
