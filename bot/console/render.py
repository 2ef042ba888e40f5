"""Plain-text rendering of lists (issues, search hits) for the console and the CLI."""

from __future__ import annotations

from core.types import IssueSummary, Page, SearchHit


def issue_list_text(page: Page[IssueSummary]) -> str:
    if not page.items:
        return "No issues yet. Run `digestbot pipeline` (or `digestbot demo`) to make one."
    lines = [f"Issues ({page.total} in all):"]
    for issue in page.items:
        lines.append(f"  第{issue.number}期  {issue.status:<9}  {issue.title}")
    return "\n".join(lines)


def search_page_text(query: str, page: Page[SearchHit]) -> str:
    if not page.items:
        return f"No results for “{query}”. Try fewer or more general words, or English terms."
    first, last = page.offset + 1, page.offset + len(page.items)
    total = f"{page.total - 1}+" if page.total_is_lower_bound else str(page.total)
    lines = [f"Results {first}–{last} of {total} for “{query}”:"]
    for n, hit in enumerate(page.items, start=first):
        lines.extend(_hit_lines(n, hit))
    return "\n".join(lines)


def _hit_lines(n: int, hit: SearchHit) -> list[str]:
    meta = hit.paper.meta
    issues = "、".join(f"第{number}期" for number in hit.issue_numbers)
    lines = [f"{n}. {meta.title}", f"   {meta.abs_url}  {meta.published_at:%Y-%m-%d}  {issues}"]
    if hit.paper.summary and hit.paper.summary.content.tldr:
        lines.append(f"   {hit.paper.summary.content.tldr}")
    return lines
