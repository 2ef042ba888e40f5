"""What reading the whole paper costs: input tokens per paper, full text vs abstract only.

On the fixtures the reader is tested on (tests/fixtures/papers: a real recorded arXiv HTML
page and its PDF; the synthetic hostile pages), each paper's prompt is built as the summarizer
builds it, once with the abstract alone and once with the budgeted body at several
LLM_MAX_INPUT_TOKENS, priced at the default input price. Parse time per page is measured too.
Run: `python -m bench fulltext`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from core.config import Settings
from core.tokens import estimate_tokens
from domain.fulltext import PaperText, SectionKind
from domain.types import PaperMeta
from jobs.read.budget import paper_body
from jobs.read.html import parse_html
from jobs.read.pdf import parse_pdf
from jobs.summarize.prompt import build_messages
from tests.fakes.arxiv_pages import (
    PAPERS,
    RECORDED,
    huge_table,
    latexml_page,
    math_everywhere,
)

BUDGETS = (3000, 6000, 12000)
PAGE = "https://arxiv.org/html/2501.00001v1"


def pages() -> list[tuple[str, str, bytes]]:
    """(name, kind, content) of every fixture paper."""
    intro = " ".join(["We study how models learn and report 12.5% gains."] * 200)
    return [
        ("recorded 2501.11120v1 (html)", "html", (PAPERS / f"{RECORDED}.html").read_bytes()),
        ("recorded 2501.11120v1 (pdf)", "pdf", (PAPERS / f"{RECORDED}.pdf").read_bytes()),
        ("synthetic: 10,000-row table", "html", latexml_page(
            sections=[("1 Introduction", intro), ("4 Experiments", huge_table(10_000))])),
        ("synthetic: math everywhere", "html", latexml_page(
            sections=[("1 Introduction", intro), ("3 Method", math_everywhere(3000))])),
        ("synthetic: 200 figures", "html", latexml_page(
            figures=[(f"x{n}.png", f"Plot {n}.") for n in range(200)])),
    ]  # fmt: skip


def meta_for(text: PaperText) -> PaperMeta:
    abstracts = [s.text for s in text.sections if s.kind is SectionKind.ABSTRACT]
    abstract = max(abstracts, key=len, default="")
    moment = datetime(2026, 11, 30, tzinfo=UTC)
    return PaperMeta(
        arxiv_id="2501.11120", version=1, title="A paper", authors=("A. Author",),
        abstract=abstract, categories=("cs.CL",), primary_category="cs.CL",
        published_at=moment, updated_at=moment,
    )  # fmt: skip


def prompt_tokens(meta: PaperMeta, body: str = "") -> int:
    return sum(estimate_tokens(m["content"]) for m in build_messages(meta, "zh", body))


def measure(name: str, kind: str, content: bytes, price: float) -> dict[str, object]:
    started = time.perf_counter()
    text = parse_html(content, PAGE) if kind == "html" else parse_pdf(content)
    parse_ms = (time.perf_counter() - started) * 1000
    assert text is not None, name
    meta = meta_for(text)
    abstract_only = prompt_tokens(meta)
    row: dict[str, object] = {
        "paper": name, "bytes": len(content), "parse_ms": round(parse_ms, 1),
        "abstract_only_tokens": abstract_only,
        "abstract_only_usd": round(abstract_only * price / 1e6, 6),
    }  # fmt: skip
    for budget in BUDGETS:
        full = prompt_tokens(meta, paper_body(text, budget))
        row[f"fulltext_{budget}_tokens"] = full
        row[f"fulltext_{budget}_usd"] = round(full * price / 1e6, 6)
    return row


def main() -> dict[str, object]:
    price = Settings(_env_file=None).llm_price_per_million_input  # type: ignore[call-arg]
    rows = [measure(name, kind, content, price) for name, kind, content in pages()]
    header = f"{'paper':<32} {'parse ms':>8} {'abstract':>9}" + "".join(
        f" {'full@' + str(b):>11}" for b in BUDGETS
    )
    print(f"input tokens per paper (estimated), ${price}/M input\n{header}")
    for row in rows:
        cells = "".join(f" {row[f'fulltext_{b}_tokens']:>11,}" for b in BUDGETS)
        print(f"{row['paper']:<32} {row['parse_ms']:>8} {row['abstract_only_tokens']:>9,}{cells}")
    return {"price_per_million_input": price, "papers": rows}


if __name__ == "__main__":
    main()
