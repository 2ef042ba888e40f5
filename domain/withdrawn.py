"""Withdrawn papers: arXiv keeps a withdrawn paper's page, with the authors' notice in its comment.

A withdrawn paper must never be summarized or enter an issue (one was scored 4 once), so the
summarize job and the composer both ask here. arXiv's own wording is "This paper has been
withdrawn"; authors also write "Withdrawn: …" or "withdrawn by the authors". A withdrawal
replaces the abstract with the notice too, so a short abstract saying so counts as well.
"""

from __future__ import annotations

import re

_NOTICE = re.compile(
    r"\b(?:this (?:paper|article|manuscript|submission|work|version) (?:has been|is|was) "
    r"withdrawn|withdrawn by (?:the )?(?:authors?|arxiv|admin)|paper withdrawn|^\W*withdrawn\b)",
    re.IGNORECASE,
)
_SHORT_ABSTRACT = 400  # a withdrawal notice replacing the abstract is a sentence or two


def is_withdrawn(comment: str | None, abstract: str | None = None) -> bool:
    """Whether the comment (or an abstract that is only a notice) says the paper is withdrawn."""
    if comment and _NOTICE.search(comment.strip()):
        return True
    text = (abstract or "").strip()
    return bool(text) and len(text) <= _SHORT_ABSTRACT and bool(_NOTICE.search(text))
