"""The papers the fake arXiv serves in full: HTML pages, their images, PDFs; and builders.

arXiv's rules, as the fake enforces them: `/html/<id>v<n>` answers 404 for a paper without an
HTML rendering (`/pdf/<id>v<n>` likewise without a PDF), images live under the page's own
path, and a client that asks sooner than `min_spacing` seconds after its previous request
is answered 429. The recorded paper (`RECORDED`, a real arXiv page, see
`tests/fixtures/papers/README.md`) is served with a real PNG for each of its figures.

The builders make the hostile pages: no figures, broken markup, 200 figures, a huge table,
math everywhere, and images that lie (a bomb's header, HTML called .png, SVG).
"""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

PAPERS = Path(__file__).resolve().parents[1] / "fixtures" / "papers"
RECORDED = "2501.11120v1"  # "Tell me about yourself: LLMs are aware of their learned behaviors"
Answer = tuple[int, str, bytes]


def png(width: int = 320, height: int = 200, color: str = "steelblue") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims `width`×`height` pixels in a few hundred bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@dataclass
class Pages:
    """What is served, and the spacing rule. Thread-safe: the fake serves from threads."""

    html: dict[str, bytes] = field(default_factory=dict)  # "2501.11120v1" -> page
    pdf: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (type, body)
    min_spacing: float = 0.0
    throttled: int = 0
    _last: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_recorded(self, *, html: bool = True, pdf: bool = True) -> None:
        page = (PAPERS / f"{RECORDED}.html").read_bytes()
        if html:
            self.add_page(RECORDED, page, {f"x{n}.png": png(300 + n, 200) for n in range(1, 20)})
        if pdf:
            self.pdf[RECORDED] = (PAPERS / f"{RECORDED}.pdf").read_bytes()

    def add_page(self, versioned: str, page: bytes, images: dict[str, bytes] | None = None) -> None:
        with self._lock:
            self.html[versioned] = page
            for name, data in (images or {}).items():
                self.files[f"/html/{versioned}/{name}"] = ("image/png", data)

    def answer(self, path: str) -> Answer | None:
        """The answer for a full-text path, or None when the path is not one of ours."""
        if not path.startswith(("/html/", "/pdf/")):
            return None
        if self._too_soon():
            return 429, "text/plain", b"Rate exceeded."
        with self._lock:
            if path in self.files:
                ctype, body = self.files[path]
                return 200, ctype, body
            key = path.split("/", 2)[2].rstrip("/")
            if path.startswith("/html/") and key in self.html:
                return 200, "text/html; charset=utf-8", self.html[key]
            if path.startswith("/pdf/") and key in self.pdf:
                return 200, "application/pdf", self.pdf[key]
        return 404, "text/html", b"<html><body>No HTML for this paper.</body></html>"

    def _too_soon(self) -> bool:
        with self._lock:
            now = time.monotonic()
            early = self._last is not None and now - self._last < self.min_spacing
            self._last = now
            self.throttled += early
            return early


def latexml_page(
    *,
    title: str = "A synthetic paper",
    sections: list[tuple[str, str]] | None = None,
    figures: list[tuple[str, str]] | None = None,
    extra: str = "",
    base: str | None = None,
) -> bytes:
    """A page in LaTeXML's markup: sections (title, paragraph HTML), figures (src, caption)."""
    sections = sections or [
        ("1 Introduction", "We study a problem and improve accuracy by 12.5%."),
        ("2 Method", "We propose a method."),
        ("3 Experiments", "It reaches 91.2 on the benchmark."),
        ("4 Conclusion", "It works."),
    ]
    figs = "".join(
        f'<figure class="ltx_figure" id="S1.F{n}"><img class="ltx_graphics" src="{src}"/>'
        f'<figcaption class="ltx_caption"><span class="ltx_tag ltx_tag_figure">Figure {n}: '
        f"</span>{caption}</figcaption></figure>"
        for n, (src, caption) in enumerate(figures or [], start=1)
    )
    body = "".join(
        f'<section class="ltx_section" id="S{n}"><h2 class="ltx_title ltx_title_section">'
        f'{name}</h2><div class="ltx_para"><p class="ltx_p">{text}</p></div>'
        f"{figs if n == 1 else ''}</section>"
        for n, (name, text) in enumerate(sections, start=1)
    )
    head = f'<base href="{base}"/>' if base else ""
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body>"
        f'<div class="ltx_page_main"><article class="ltx_document">'
        f'<h1 class="ltx_title ltx_title_document">{title}</h1>'
        f'<div class="ltx_abstract"><h6 class="ltx_title">Abstract</h6>'
        f'<p class="ltx_p">An abstract.</p></div>{body}{extra}</article></div></body></html>'
    ).encode()


def huge_table(rows: int = 10_000) -> str:
    cells = "".join(
        f'<tr class="ltx_tr"><td class="ltx_td">row {n}</td><td class="ltx_td">{n * 0.5}</td></tr>'
        for n in range(rows)
    )
    return (
        '<figure class="ltx_table" id="S3.T1"><figcaption class="ltx_caption">'
        '<span class="ltx_tag ltx_tag_table">Table 1: </span>Results on everything.</figcaption>'
        f'<table class="ltx_tabular">{cells}</table></figure>'
    )


def math_everywhere(count: int = 2000) -> str:
    return " ".join(
        f'<math alttext="x_{{{n}}}^{{2}}+\\alpha" display="inline"><semantics><mrow>'
        f"<msub><mi>x</mi><mn>{n}</mn></msub></mrow></semantics></math>"
        for n in range(count)
    )
