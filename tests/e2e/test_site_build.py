"""`digestbot site build`: a real SQLite archive with published, draft and rejected issues
written as static files; every internal link (the key figures' <img src> too) resolves to a
written file, no draft leaks, the feeds parse, and a bad --out or a missing base URL is one
clear line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser

from storage.db import Database
from tests.e2e.cli_process import Ran, base_env, digestbot
from tests.web_archive import DRAFT_TITLE, REJECTED_TITLE, Archive, build_archive

BASE = "https://user.github.io/repo/"
ORIGIN = "https://user.github.io"
LINK = re.compile(r'(?:href|src|action)="([^"]*)"')


def site_env(tmp: Path, db: Database) -> dict[str, str]:
    return base_env(tmp, DATABASE_URL=db.url)


async def built_site(db: Database, tmp: Path) -> tuple[Archive, Path, Ran]:
    """The test archive in `db`, built by `digestbot site build` into tmp/site (which must work)."""
    archive = await build_archive(db)
    out = tmp / "site"
    ran = digestbot("site", "build", "--out", str(out), "--base-url", BASE,
                    env=site_env(tmp, db), cwd=tmp)  # fmt: skip
    assert ran.code == 0, ran.output
    return archive, out, ran


def resolve(out: Path, link: str) -> Path | None:
    """The file a static host serves for an internal link; None for an outside one."""
    if link.startswith(("https://", "http://", "data:", "#")) and not link.startswith(BASE):
        return None
    path = link.removeprefix(ORIGIN).split("?")[0].split("#")[0]
    assert path.startswith("/repo/"), f"a link outside the base path: {link}"
    path = path.removeprefix("/repo")
    relative = f"{path.strip('/')}/index.html" if path.endswith("/") else path
    return out / relative.lstrip("/")


async def test_site_build_writes_every_public_page_and_nothing_else(
    sqlite_db: Database, tmp_path: Path
) -> None:
    archive, out, ran = await built_site(sqlite_db, tmp_path)
    assert "pages" in ran.stdout and "broken" not in ran.stdout
    for published in archive.published:
        assert (out / f"issues/{published}/index.html").is_file()
        assert (out / f"en/issues/{published}/index.html").is_file()
    for hidden in archive.hidden:
        assert not (out / f"issues/{hidden}").exists()
    for name in ("index.html", "issues/index.html", "topics/index.html", "404.html",
                 "static/site.css", "feed.atom", "feed.json", ".nojekyll"):  # fmt: skip
        assert (out / name).is_file(), name
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "不提供搜索" in home and 'href="/repo/feed.atom"' in home  # says so, offers feeds
    assert "/search" not in home
    for arxiv_id in archive.figure_ids:  # the key figures the cards show, as files
        assert (out / f"figures/{arxiv_id}.png").read_bytes().startswith(b"\x89PNG")
    written = [path for path in out.rglob("*") if path.is_file() and path.suffix != ".png"]
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert DRAFT_TITLE not in text and REJECTED_TITLE not in text, path
        if path.suffix == ".html":
            assert "<script>alert" not in text
            for link in LINK.findall(text):
                target = resolve(out, link.replace("&amp;", "&"))
                assert target is None or target.is_file(), f"{path}: {link}"
    for hidden_id in archive.hidden_only_ids:
        assert not (out / "papers" / hidden_id).exists()
        assert not (out / "figures" / f"{hidden_id}.png").exists()


async def test_static_feeds_parse_and_link_to_the_static_pages(
    sqlite_db: Database, tmp_path: Path
) -> None:
    archive, out, _ = await built_site(sqlite_db, tmp_path)
    atom = feedparser.parse((out / "feed.atom").read_bytes())
    assert not atom.bozo
    expected = [f"{BASE}issues/{n}/" for n in sorted(archive.published, reverse=True)]
    assert [entry.link for entry in atom.entries] == expected
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert [item["url"] for item in feed["items"]] == expected
    assert feed["feed_url"] == f"{BASE}feed.json"
    for url in expected:
        assert resolve(out, url) is not None and resolve(out, url).is_file()  # type: ignore[union-attr]


async def test_bad_out_and_missing_base_url_are_one_line(
    sqlite_db: Database, tmp_path: Path
) -> None:
    env = site_env(tmp_path, sqlite_db)
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    ran = digestbot("site", "build", "--out", str(a_file), "--base-url", BASE, env=env,
                    cwd=tmp_path)  # fmt: skip
    assert ran.code == 1 and len(ran.err_lines) == 1 and "--out" in ran.err_lines[0]
    ran = digestbot("site", "build", "--out", str(tmp_path / "x"), env=env, cwd=tmp_path)
    assert ran.code == 1 and len(ran.err_lines) == 1 and "--base-url" in ran.err_lines[0]
    ran = digestbot("site", "build", "--out", str(tmp_path / "x"), "--base-url", "ftp://x",
                    env=env, cwd=tmp_path)  # fmt: skip
    assert ran.code == 1 and len(ran.err_lines) == 1 and "--base-url" in ran.err_lines[0]
