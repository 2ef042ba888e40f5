"""The key figure on the web archive, over real SQLite and PostgreSQL: a real PNG stored the way
the reader stores it (`save_figure`) is shown in the issue and paper cards as figure/figcaption
with its caption escaped, served at /figures/<id>.<ext> with its decoded type, nosniff, an ETag
and a year's cache; 404 for anything else; written by `site build` with no broken link; and
shown in the Markdown format when PUBLIC_BASE_URL gives it a public URL."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from bot.render import render_issue
from bot.web.static_site import build_site, static_config
from core.services.archive import published_issue
from domain.types import IssueStatus, SummaryContent
from storage.db import Database
from storage.queries.fulltext import NewFigure, save_figure
from storage.queries.papers import get_paper
from tests.conftest import make_settings
from tests.factories import make_paper
from tests.integration.web_helpers import Elements, client, compose, set_status, store
from tests.seed_papers import load_seed_papers, seed_summary

HOSTILE_CAPTION = '<script>alert(1)</script> Overview & "pipeline" <img src=x onerror=alert(2)>'
SUMMARY = seed_summary(load_seed_papers()[0])


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, format="PNG")
    return out.getvalue()


async def add_figure(db: Database, arxiv_id: str, data: bytes, caption: str) -> None:
    async with db.session() as s:
        paper = await get_paper(s, arxiv_id=arxiv_id)
        assert paper is not None
        figure = NewFigure(
            "Figure 2", caption, "image/png", 40, 30,
            f"https://arxiv.org/html/{arxiv_id}v1/x2.png", data,
        )  # fmt: skip
        await save_figure(s, paper_id=paper.id, paper_version=1, figure=figure)


async def published(db: Database, *arxiv_ids: str) -> list[str]:
    """One published issue of new papers (the given ids, or one); their ids."""
    metas = [make_paper(arxiv_id=i) for i in arxiv_ids] or [make_paper()]
    await store(db, [(meta, SUMMARY) for meta in metas])
    await compose(db, per_issue=len(metas))
    await set_status(db, 1, IssueStatus.PUBLISHED)
    return [meta.arxiv_id for meta in metas]


def figures_of(html: str) -> list[dict[str, str | None]]:
    return Elements(html).named("img")


async def test_the_issue_and_paper_cards_show_the_figure(db: Database) -> None:
    (arxiv_id,) = await published(db)
    await add_figure(db, arxiv_id, png(), HOSTILE_CAPTION)
    async with client(db, public_base_url="https://digest.example/") as http:
        issue, paper = await http.get("/issues/1"), await http.get(f"/papers/{arxiv_id}")
    for page in (issue, paper):
        doc = Elements(page.text)
        (img,) = doc.named("img")
        assert (img["src"] or "").startswith(f"/figures/{arxiv_id}.png?v=")
        assert (img["width"], img["height"], img["loading"]) == ("40", "30", "lazy")
        assert (img["alt"] or "").startswith("Figure 2: <script>alert(1)</script> Overview")
        assert len(doc.named("figure")) == 1 and len(doc.named("figcaption")) == 1
        assert "Figure 2: <script>alert(1)</script> Overview &" in "".join(doc.text)
        assert not {name for name, _ in doc.tags} & {"script"}
        assert not any(attrs.get("onerror") for _, attrs in doc.tags)
        absolute = f"https://digest.example/figures/{arxiv_id}.png?v="
        assert (doc.meta("og:image") or "").startswith(absolute)
        assert doc.meta("twitter:card") == "summary_large_image"


async def test_the_figure_is_served_as_stored(db: Database) -> None:
    (arxiv_id,) = await published(db)
    data = png()
    await add_figure(db, arxiv_id, data, "The framework.")
    async with client(db) as http:
        src = figures_of((await http.get(f"/papers/{arxiv_id}")).text)[0]["src"] or ""
        image = await http.get(src)
        assert image.status_code == 200 and image.content == data
        assert image.headers["content-type"] == "image/png"
        assert image.headers["x-content-type-options"] == "nosniff"
        assert "immutable" in image.headers["cache-control"]
        again = await http.get(src, headers={"if-none-match": image.headers["etag"]})
        assert again.status_code == 304
        bare = await http.get(f"/figures/{arxiv_id}.png")  # no version: cached briefly only
        assert bare.content == data and "immutable" not in bare.headers["cache-control"]
        assert (await http.head(src)).status_code == 200
        posted = await http.post(src)
        assert posted.status_code == 405
        assert {m.strip() for m in posted.headers["allow"].split(",")} == {"GET", "HEAD"}


async def test_missing_figures_are_404(db: Database) -> None:
    with_figure, without = await published(db, "2611.10001", "2611.10002")
    await add_figure(db, with_figure, png(), "x")
    async with client(db) as http:
        assert figures_of((await http.get(f"/papers/{without}")).text) == []
        for path in (
            f"/figures/{without}.png",  # stored paper, no figure
            "/figures/2611.99999.png",  # no such paper
            f"/figures/{with_figure}.jpg",  # not the stored type
            f"/figures/{with_figure}.svg",  # a type never kept
            f"/figures/{with_figure}",  # no extension
            "/figures/not-an-id.png",
            "/figures/",
            "/figures/" + "1" * 500 + ".png",
        ):
            response = await http.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"].startswith("text/html"), path


async def test_an_old_style_id_keeps_its_page_and_figure(db: Database) -> None:
    (arxiv_id,) = await published(db, "hep-th/9901001")
    data = png(64, 48)
    await add_figure(db, arxiv_id, data, "Old style.")
    async with client(db) as http:
        page = await http.get("/papers/hep-th/9901001")
        assert page.status_code == 200
        src = figures_of(page.text)[0]["src"] or ""
        assert src.startswith("/figures/hep-th/9901001.png?v=")
        assert (await http.get(src)).content == data


async def test_site_build_writes_the_figures(db: Database, tmp_path: Path) -> None:
    ids = await published(db, "2611.10003", "hep-th/9901002")
    data = {arxiv_id: png(50 + n, 20) for n, arxiv_id in enumerate(ids)}
    for arxiv_id, image in data.items():
        await add_figure(db, arxiv_id, image, f"Figure of {arxiv_id}")
    from bot.commands.context import Deps

    deps = Deps(settings=make_settings(database_url=db.url), db=db)
    out = tmp_path / "site"
    report = await build_site(deps, out, static_config("https://user.github.io/repo/"))
    assert report.broken == []
    for arxiv_id, image in data.items():
        assert (out / f"figures/{arxiv_id}.png").read_bytes() == image
    html = (out / "issues/1/index.html").read_text(encoding="utf-8")
    sources = [img["src"] or "" for img in figures_of(html)]
    assert len(sources) == 2
    for src in sources:
        assert src.startswith("/repo/figures/")
        assert (out / src.removeprefix("/repo/").split("?")[0]).is_file()


async def test_markdown_shows_the_figure_under_the_public_url(db: Database) -> None:
    (arxiv_id,) = await published(db)
    await add_figure(db, arxiv_id, png(), HOSTILE_CAPTION)
    issue = await published_issue(db, number=1)
    (document,) = render_issue(issue, "md", public_base_url="https://digest.example/d/")
    url = f"https://digest.example/d/figures/{arxiv_id}.png?v="
    line = next(line for line in document.splitlines() if line.startswith("!["))
    assert line.startswith(f"![]({url}") and line.endswith(")") and " " not in line
    caption = 'Figure 2: \\<script>alert(1)\\</script> Overview & "pipeline" \\<img src=x'
    assert caption in document  # tags neutralized: a Markdown viewer shows them as text
    assert document.index(line) < document.index("Figure 2:")
    (plain,) = render_issue(issue, "md")
    assert "![](" not in plain and "Figure 2:" not in plain


async def test_a_paper_without_figure_renders_as_before(db: Database) -> None:
    summary = SummaryContent(title_translated="无图", tldr="本文没有配图。")
    await store(db, [(make_paper(), summary)])
    await compose(db, per_issue=1)
    await set_status(db, 1, IssueStatus.PUBLISHED)
    issue = await published_issue(db, number=1)
    (document,) = render_issue(issue, "md", public_base_url="https://digest.example/")
    assert "![](" not in document
