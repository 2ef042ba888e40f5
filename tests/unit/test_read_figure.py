"""The key figure: chosen by its caption, fetched only from the page's host, checked by
decoding (bombs, lies about the type, truncation refused)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from domain.fulltext import FigureCandidate
from jobs.read.figure import MAX_BYTES, BadImage, check_image, choose_figure
from tests.fakes.arxiv_pages import bomb_png, png

PAGE = "https://arxiv.org/html/2501.00001v1"


def _figure(n: int, caption: str, *, host: str = "arxiv.org", appendix: bool = False):
    return FigureCandidate(f"Figure {n}", caption, f"https://{host}/html/x{n}.png", appendix)


def test_the_figure_that_explains_the_paper_wins() -> None:
    figures = [
        _figure(1, "Teaser: results on five benchmarks."),
        _figure(2, "Overview of our framework: the encoder feeds the planner."),
        _figure(3, "The architecture in detail."),
    ]
    assert choose_figure(figures, PAGE) == figures[1]


def test_else_the_first_figure_outside_the_appendix() -> None:
    figures = [
        _figure(1, "The pipeline of the baseline.", appendix=True),
        _figure(2, "Loss curves."),
        _figure(3, "More curves."),
    ]
    assert choose_figure(figures, PAGE) == figures[1]
    assert choose_figure(figures[:1], PAGE) == figures[0]  # only appendix figures: still one
    assert choose_figure([], PAGE) is None


def test_images_on_other_hosts_are_never_fetched() -> None:
    elsewhere = [
        _figure(1, "Overview.", host="169.254.169.254"),
        _figure(2, "Overview.", host="x.io"),
    ]
    assert choose_figure(elsewhere, PAGE) is None


@pytest.mark.parametrize("fmt, mime", [("PNG", "image/png"), ("JPEG", "image/jpeg"),
                                       ("GIF", "image/gif"), ("WEBP", "image/webp")])  # fmt: skip
def test_real_images_pass_with_their_decoded_type(fmt: str, mime: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, format=fmt)
    checked = check_image(out.getvalue())
    assert (checked.mime_type, checked.width, checked.height) == (mime, 64, 48)


@pytest.mark.parametrize(
    "data, reason",
    [
        (bomb_png(), "pixels"),
        (bomb_png(20_000, 20_000), "pixels"),
        (b"<html>not an image</html>", "does not decode"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>',
         "does not decode"),
        (png()[:120], "does not decode"),  # truncated
        (b"\x00" * (MAX_BYTES + 1), "over"),
    ],
)  # fmt: skip
def test_what_is_not_a_safe_image_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(BadImage, match=reason):
        check_image(data)
