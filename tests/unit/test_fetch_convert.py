"""`arxiv.Result` → `PaperMeta`: ids, whitespace, UTC, DOI, code links, mojibake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import arxiv
import pytest

from jobs.fetch.convert import UnusableEntry, fix_mojibake, to_paper_meta


def _result(**overrides: object) -> arxiv.Result:
    values: dict[str, object] = {
        "entry_id": "http://arxiv.org/abs/2402.01399v2",
        "updated": datetime(2024, 2, 5, 9, 0, tzinfo=UTC),
        "published": datetime(2024, 2, 2, 18, 30, tzinfo=UTC),
        "title": "A   title\n  over two lines",
        "authors": [arxiv.Result.Author("Dirk WÃ¼bben"), arxiv.Result.Author("José Álvarez")],
        "summary": "We propose X.\n  It improves Y by 3.2%.\nCode: https://github.com/org/x).",
        "comment": "  12 pages,\n 3 figures ",
        "journal_ref": "",
        "doi": "10.1000/xyz123",
        "primary_category": "cs.CL",
        "categories": ["cs.CL", "cs.LG"],
        "links": [arxiv.Result.Link("https://arxiv.org/abs/2402.01399v2", rel="alternate")],
    }
    values.update(overrides)
    return arxiv.Result(**values)


def test_converts_every_field() -> None:
    meta = to_paper_meta(_result())
    assert (meta.arxiv_id, meta.version) == ("2402.01399", 2)
    assert meta.title == "A title over two lines"
    assert meta.authors == ("Dirk Wübben", "José Álvarez")
    assert meta.abstract == (
        "We propose X. It improves Y by 3.2%. Code: https://github.com/org/x)."
    )
    assert meta.comment == "12 pages, 3 figures"
    assert meta.journal_ref is None
    assert meta.doi == "10.1000/xyz123"
    assert meta.code_url == "https://github.com/org/x"
    assert meta.categories == ("cs.CL", "cs.LG")
    assert meta.primary_category == "cs.CL"
    assert meta.published_at == datetime(2024, 2, 2, 18, 30, tzinfo=UTC)
    assert meta.published_at.utcoffset() == timedelta(0)


def test_old_style_id_and_non_utc_dates() -> None:
    plus_two = timezone(timedelta(hours=2))
    meta = to_paper_meta(
        _result(
            entry_id="http://arxiv.org/abs/hep-th/9901001v3",
            published=datetime(1999, 1, 4, 12, 0, tzinfo=plus_two),
            updated=datetime(1999, 1, 4, 12, 0),  # noqa: DTZ001 -- naive input must not crash
        )
    )
    assert (meta.arxiv_id, meta.version) == ("hep-th/9901001", 3)
    assert meta.published_at == datetime(1999, 1, 4, 10, 0, tzinfo=UTC)
    assert meta.updated_at.tzinfo is not None


def test_code_link_only_from_the_papers_own_metadata() -> None:
    no_code = to_paper_meta(_result(summary="No code here.", comment=None))
    assert no_code.code_url is None
    from_comment = to_paper_meta(
        _result(summary="Nothing.", comment="Project: gitlab.com/lab/tool; 9 pages")
    )
    assert from_comment.code_url == "https://gitlab.com/lab/tool"
    from_links = to_paper_meta(
        _result(
            summary="Nothing.",
            comment=None,
            links=[
                arxiv.Result.Link("https://arxiv.org/pdf/2402.01399v2", title="pdf"),
                arxiv.Result.Link("https://huggingface.co/org/model", rel="related"),
            ],
        )
    )
    assert from_links.code_url == "https://huggingface.co/org/model"


def test_doi_url_is_reduced_to_the_doi_and_primary_is_kept_in_categories() -> None:
    meta = to_paper_meta(
        _result(doi="https://doi.org/10.1/abc", primary_category="stat.ML", categories=["cs.LG"])
    )
    assert meta.doi == "10.1/abc"
    assert meta.categories == ("stat.ML", "cs.LG")


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "  \n "},
        {"entry_id": "https://arxiv.org/api/errors#incorrect_id_format_for_abc"},
    ],
)
def test_unusable_entries_raise_unusable_entry(overrides: dict[str, object]) -> None:
    with pytest.raises(UnusableEntry):
        to_paper_meta(_result(**overrides))


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("Dirk WÃ¼bben", "Dirk Wübben"),
        ("Oliver WeiÃ\x9fl", "Oliver Weißl"),
        ("SÃ³lrÃºn EinarsdÃ³ttir", "Sólrún Einarsdóttir"),
        ("Ã\x85sa Ã\xa0 la", "Åsa à la"),
        # Genuine text stays as it is: the round trip fails or there is nothing to fix.
        ("José Álvarez", "José Álvarez"),
        ("Søren Kierkegaard", "Søren Kierkegaard"),
        ("张伟 and Müller", "张伟 and Müller"),
        ("Plain ASCII", "Plain ASCII"),
    ],
)
def test_mojibake_repair(raw: str, fixed: str) -> None:
    assert fix_mojibake(raw) == fixed
