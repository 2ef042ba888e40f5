"""Messages per issue with key figures in Telegram: the channel's photos and a private reader's
text with buttons, against the text-only messages before (issue 12's "what each choice costs").

`python -m bench figures`. The issue is 20 seed papers (real titles, abstracts and summaries:
Chinese from the seeds, English from the abstracts), every one with a key figure that
sendPhoto takes. Counts are deterministic: the editions depend on the issue alone.
"""

from __future__ import annotations

from dataclasses import replace

from bot.render import render_issue
from bot.telegram.editions import GROUP, PRIVATE, edition_parts
from bot.telegram.targets import CHANNEL
from domain.fulltext import FigureView
from domain.types import IssueView
from tests.seed_papers import load_seed_papers
from tests.unit.test_render import make_issue

PAPERS = 20
BASE = "https://digest.example/"
PER_CHANNEL_MINUTE = 20  # Telegram: messages a minute to one group or channel


def _issue(language: str) -> IssueView:
    seeds = (load_seed_papers() * PAPERS)[:PAPERS]
    issue = make_issue(seeds, language=language, extractive=())
    items = []
    for position, item in enumerate(issue.items, start=1):
        figure = FigureView(
            position, "Figure 1", "Overview of the proposed framework and its stages.",
            "image/png", 1600, 900, 250_000, "https://arxiv.org/html/x/x1.png",
        )  # fmt: skip
        paper = replace(item.paper, id=position, figure=figure)
        items.append(replace(item, position=position, paper=paper))
    return replace(issue, items=tuple(items))


def main() -> dict[str, object]:
    figures: dict[str, object] = {"papers": PAPERS}
    for language in ("zh", "en"):
        issue = _issue(language)
        options = {"web_url": "", "public_base_url": BASE, "photos": True, "buttons": True}
        channel = edition_parts(issue, CHANNEL, **options)  # type: ignore[arg-type]
        private = edition_parts(issue, PRIVATE, **options)  # type: ignore[arg-type]
        group = edition_parts(issue, GROUP, **options)  # type: ignore[arg-type]
        row = {
            "text_before": len(render_issue(issue, "telegram")),
            "channel": len(channel),
            "channel_photos": sum(part.photo is not None for part in channel),
            "channel_minutes": round(len(channel) / PER_CHANNEL_MINUTE, 1),
            "private": len(private),
            "private_button_rows": sum(len(part.buttons) for part in private),
            "group": len(group),
        }
        figures[language] = row
        print(f"{language}: {row}")
    return figures


if __name__ == "__main__":
    main()
