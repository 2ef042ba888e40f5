"""The key figure's URL rule, shared by the web archive's links and the Markdown renderer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.web.links import Links
from domain.fulltext import FigureView
from domain.web_paths import figure_version, public_figure_url, split_figure_name

FIGURE = FigureView(7, "Figure 1", "Overview.", "image/jpeg", 800, 600, 12345,
                    "https://arxiv.org/html/2402.01399v1/x1.jpg")  # fmt: skip


@pytest.mark.parametrize(
    "name, expected",
    [
        ("2402.01399.png", ("2402.01399", "png")),
        ("hep-th/9901001.jpg", ("hep-th/9901001", "jpg")),
        ("2402.01399.PNG", ("2402.01399", "png")),
        ("2402.01399.svg", None),
        ("2402.01399", None),  # the id's own dot is no extension
        (".png", None),
        ("", None),
    ],
)
def test_a_figure_name_splits_into_id_and_type(name: str, expected: object) -> None:
    assert split_figure_name(name) == expected


def test_the_public_url_and_the_page_link_agree() -> None:
    url = public_figure_url("https://digest.example/d/", "hep-th/9901001", FIGURE)
    version = figure_version(FIGURE)
    assert url == f"https://digest.example/d/figures/hep-th/9901001.jpg?v={version}"
    for language in ("zh", "en"):  # one file for every language, in directory mode too
        links = Links(language, "/d", "https://digest.example", directory=True)
        assert links.absolute(links.figure("hep-th/9901001", FIGURE)) == url


def test_a_new_download_gets_a_new_version() -> None:
    newer = replace(FIGURE, source_url="https://arxiv.org/html/2402.01399v2/x1.jpg")
    assert figure_version(newer) != figure_version(FIGURE)
    assert figure_version(replace(FIGURE, caption="Edited.")) == figure_version(FIGURE)
