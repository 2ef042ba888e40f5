"""The one token estimate every budget uses: the daily LLM budget and a paper's input budget.

No tokenizer: the model is any OpenAI-compatible one, and a real tokenizer would download its
vocabulary at run time. The estimate errs high for English, so budgets hold.
"""

from __future__ import annotations


def estimate_tokens(text: str) -> int:
    """A cheap upper-ish estimate: ~4 chars per token in English, ~1 per CJK character."""
    cjk = sum(1 for char in text if "\u3000" <= char <= "\u9fff")
    return (len(text) - cjk) // 3 + cjk + 16
