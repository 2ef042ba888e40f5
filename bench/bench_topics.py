"""Topic matching benchmark: 1,000 papers × 20 topics, the delivery filter for one chat.

`python -m bench.bench_topics`. Papers are the 20 seed papers (real titles, abstracts and
Chinese summaries) repeated with distinct ids; reports building the folded paper text once
(cold) and matching every topic against every paper with the text cached (warm).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

from domain.topics import matches, parse_topic
from domain.types import PaperView, StoredSummary, SummarySource
from tests.seed_papers import load_seed_papers, seed_meta, seed_summary

PAPERS = 1000
REPEATS = 5
TOPICS = (
    "RLHF reward model",
    '"large language models"',
    "cat:cs.CL",
    "cat:cs.LG -survey",
    'author:"Grace Hopper"',
    "author:Choi",
    "强化学习",
    "大型语言模型 剪枝",
    "diffusion graph",
    "transformers -linear",
    "locomotion",
    "fake news detection",
    '"process supervision"',
    "agent data science",
    "misinformation",
    "alignment preference",
    "organelle segmentation",
    "code evaluation",
    "GPT-4",
    "self-supervised representation",
)


def _papers() -> list[PaperView]:
    seeds = load_seed_papers()
    views = []
    for i in range(PAPERS):
        seed = seeds[i % len(seeds)]
        summary = StoredSummary(
            id=i,
            paper_id=i,
            language="zh",
            source=SummarySource.LLM,
            model="m",
            prompt_version="p",
            content=seed_summary(seed),
        )
        meta = replace(seed_meta(seed), arxiv_id=f"9999.{i:05d}")
        views.append(PaperView(id=i, meta=meta, summary=summary))
    return views


def _match_all(topics: list, papers: list[PaperView]) -> int:
    return sum(1 for paper in papers for topic in topics if matches(topic, paper))


def main() -> dict[str, object]:
    topics = [parse_topic(text) for text in TOPICS]
    cold, warm = [], []
    for _ in range(REPEATS):
        papers = _papers()  # fresh objects: nothing cached
        started = time.perf_counter()
        hits = _match_all(topics, papers)
        cold.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        _match_all(topics, papers)
        warm.append((time.perf_counter() - started) * 1000)
    figures: dict[str, object] = {
        "papers": PAPERS,
        "topics": len(topics),
        "matches": hits,
        "cold_ms_median": round(statistics.median(cold), 1),
        "warm_ms_median": round(statistics.median(warm), 1),
    }
    print(figures)
    return figures


if __name__ == "__main__":
    main()
