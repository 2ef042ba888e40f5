"""The `like:` threshold, measured: how many neighbours an anchor paper gets at each cosine.

Over the 7,045 real ML papers of `../shared/fixtures/arxiv-days` (18 announcement days),
vectorized as the ranking does (`core.services.ranking_model`), 300 random anchors (seed 1):
for each threshold, the neighbours per anchor in the 18 days, the share of anchors with none,
and the share of neighbours in the anchor's primary category (against random pairs). The
chosen `LIKE_THRESHOLD` is justified from these figures (`core.services.topic_likes`).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

from core.services import ranking_model as rm
from core.services.topic_likes import LIKE_THRESHOLD

DAYS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "arxiv-days"
ANCHORS = 300
THRESHOLDS = (0.03, 0.04, 0.05, 0.06, 0.08, 0.1)


def main() -> dict[str, object]:
    papers = [json.loads(line) for f in sorted(DAYS.glob("*.jsonl")) for line in f.open()]
    tf = rm.term_frequencies([rm.paper_text(p["title"], p["abstract"]) for p in papers])
    idf = rm.Idf()
    idf.add(tf)
    x = rm.weighted(rm.stack(tf), idf)
    rng = random.Random(1)
    anchors = rng.sample(range(len(papers)), ANCHORS)
    sims = np.asarray((x[anchors] @ x.T).toarray())
    sims[np.arange(ANCHORS), anchors] = -1.0  # never its own neighbour
    cats = np.array([p["categories"][0] for p in papers])
    same = cats[anchors][:, None] == cats[None, :]
    ranked = -np.sort(-sims, axis=1)
    figures: dict[str, object] = {
        "papers": len(papers),
        "anchors": ANCHORS,
        "threshold": LIKE_THRESHOLD,
        "nearest_cosine_median": round(float(np.median(ranked[:, 0])), 3),
        "20th_nearest_cosine_median": round(float(np.median(ranked[:, 19])), 3),
        "random_pairs_same_category": round(float(same.mean()), 3),
    }
    for t in THRESHOLDS:
        near = sims >= t
        per = near.sum(axis=1)
        figures[f"at_{t}"] = {
            "neighbours_median": float(np.median(per)),
            "neighbours_per_day": round(float(per.mean()) / 18, 2),
            "anchors_without": round(float((per == 0).mean()), 2),
            "same_category": round(float(same[near].mean()), 3) if near.any() else None,
        }
    print(json.dumps(figures, indent=2))
    return figures
