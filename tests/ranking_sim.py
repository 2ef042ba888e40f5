"""A simulated readership for personal relevance (issue 13), on real abstracts.

Days are `../shared/fixtures/arxiv-days` files in order. Each day's issue is its
`issue_size` best papers by a simulated LLM score (1–5, reader-independent: the LLM judges
general quality, not one reader's taste; ties by announcement order), as today's composer
does. Readers have hidden interests — 2–3 arXiv categories (cross-lists count) or 2–3 keyword
sets from the corpus — and see their issue in their current order (the LLM's until their model
is trained): they look at the first `look` papers and vote on some, 👍 on papers of their
interests and 👎 on others, each vote flipped with probability `noise`. After each day every
reader's model is retrained from all their votes (as `core.services.ranking.train_reader`
does, through the same `core.services.ranking_model`), and each reader's personal order of the
next day's papers is scored against the LLM order: nDCG@5 and precision@5 (binary gains),
averaged over readers with at least one relevant paper that day.

Shared by `bench/bench_ranking.py` (50+ readers, 10 days) and a small test on a fixed seed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.services import ranking_model as rm

DAYS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "arxiv-days"
CATEGORIES = (
    "cs.CV", "cs.CL", "cs.RO", "cs.IR", "stat.ML", "cs.CR", "eess.IV", "cs.HC",
    "cs.SE", "eess.AS", "cs.DB", "cs.NE", "q-bio.QM", "cs.MA", "math.OC", "cs.GT",
)  # fmt: skip
KEYWORDS = (
    ("reinforcement learning",), ("diffusion",), ("graph neural", "gnn"), ("retrieval",),
    ("robot",), ("speech", "audio"), ("medical", "clinical"), ("federated",),
    ("quantization", "pruning"), ("adversarial", "jailbreak"), ("time series", "forecasting"),
    ("recommend",), ("molecul", "protein"), ("autonomous driving",), ("video",),
    ("code generation", "program synthesis"), ("mathematical reasoning", "theorem"),
    ("privacy",), ("fairness", "bias"), ("causal",), ("bayesian",), ("agent",),
)  # fmt: skip


@dataclass(frozen=True)
class Paper:
    arxiv_id: str
    text: str
    categories: frozenset[str]
    llm_score: int


@dataclass
class SimReader:
    categories: frozenset[str]
    keywords: tuple[tuple[str, ...], ...]
    labels: dict[int, int] = field(default_factory=dict)  # paper index → 1 yes / 0 no
    model: rm.ReaderWeights | None = None

    def likes(self, paper: Paper) -> bool:
        if self.categories:
            return bool(self.categories & paper.categories)
        return any(any(word in paper.text for word in words) for words in self.keywords)


@dataclass
class Figures:
    days: list[dict[str, float]] = field(default_factory=list)
    train_seconds: list[float] = field(default_factory=list)
    train_cpu_seconds: list[float] = field(default_factory=list)
    models: list[rm.ReaderWeights] = field(default_factory=list)


def load_days(count: int) -> list[list[dict[str, object]]]:
    files = sorted(DAYS.glob("*.jsonl"))[:count]
    return [[json.loads(line) for line in f.read_text().splitlines() if line] for f in files]


def readers(count: int, rng: np.random.Generator) -> list[SimReader]:
    """Half follow 2–3 categories, half 2–3 keyword sets."""
    made = []
    for i in range(count):
        n = int(rng.integers(2, 4))
        if i % 2:
            picks = rng.choice(len(KEYWORDS), size=n, replace=False)
            made.append(SimReader(frozenset(), tuple(KEYWORDS[j] for j in picks)))
        else:
            made.append(SimReader(frozenset(rng.choice(CATEGORIES, size=n, replace=False)), ()))
    return made


def ndcg_at(gains: list[int], ideal: int, k: int = 5) -> float:
    dcg = sum(g / np.log2(i + 2) for i, g in enumerate(gains[:k]))
    best = sum(1 / np.log2(i + 2) for i in range(min(ideal, k)))
    return float(dcg / best) if best else 0.0


class World:
    """The corpus as it arrives: papers, their vectors, the IDF counts so far."""

    def __init__(self, days: list[list[dict[str, object]]], rng: np.random.Generator) -> None:
        self.papers: list[Paper] = []
        self.day_ids: list[list[int]] = []
        self.idf = rm.Idf()
        self.tf: list[rm.SparseVector] = []
        for day in days:
            start = len(self.papers)
            for raw in day:
                title, abstract = str(raw["title"]), str(raw["abstract"])
                self.papers.append(Paper(
                    str(raw["id"]), f"{title} {abstract}".lower(),
                    frozenset(raw["categories"]),  # type: ignore[arg-type]
                    int(rng.integers(1, 6)),
                ))  # fmt: skip
            self.day_ids.append(list(range(start, len(self.papers))))
        texts = [rm.paper_text(*self._title_abstract(raw)) for day in days for raw in day]
        self.tf = rm.term_frequencies(texts)

    @staticmethod
    def _title_abstract(raw: dict[str, object]) -> tuple[str, str]:
        return str(raw["title"]), str(raw["abstract"])

    def arrive(self, day: int) -> None:
        """The day's papers are vectorized: their terms join the IDF counts."""
        self.idf.add([self.tf[i] for i in self.day_ids[day]])

    def matrix(self, ids: list[int]) -> rm.Matrix:
        return rm.weighted(rm.stack([self.tf[i] for i in ids]), self.idf)

    def llm_order(self, ids: list[int]) -> list[int]:
        return sorted(ids, key=lambda i: -self.papers[i].llm_score)  # stable: announcement order

    def issue(self, day: int, size: int) -> list[int]:
        return self.llm_order(self.day_ids[day])[:size]


def personal_order(reader: SimReader, ids: list[int], x: rm.Matrix) -> list[int]:
    if reader.model is None:
        return ids
    s = rm.scores([reader.model], x)[0]
    return [ids[j] for j in np.argsort(-s, kind="stable")]


def vote(reader: SimReader, world: World, shown: list[int], rng: np.random.Generator,
         *, look: int, noise: float) -> None:  # fmt: skip
    for i in shown[:look]:
        liked = reader.likes(world.papers[i])
        if rng.random() < (0.8 if liked else 0.3):  # readers mark what they like more often
            label = int(liked) ^ int(rng.random() < noise)
            reader.labels[i] = label


def retrain(reader: SimReader, world: World, background: list[int], figures: Figures) -> None:
    ids = sorted(reader.labels)
    if len(ids) < 5:
        return
    started, cpu = time.perf_counter(), time.process_time()
    extra = [i for i in background if i not in reader.labels]
    reader.model = rm.train(world.matrix(ids), [reader.labels[i] for i in ids], world.matrix(extra))
    figures.train_seconds.append(time.perf_counter() - started)
    figures.train_cpu_seconds.append(time.process_time() - cpu)


def evaluate(people: list[SimReader], world: World, ids: list[int]) -> dict[str, float]:
    x = world.matrix(ids)
    llm = world.llm_order(ids)
    sums = {"ndcg_llm": 0.0, "ndcg_personal": 0.0, "p5_llm": 0.0, "p5_personal": 0.0}
    counted = 0
    for reader in people:
        relevant = {i for i in ids if reader.likes(world.papers[i])}
        if not relevant:
            continue
        counted += 1
        for name, order in (("llm", llm), ("personal", personal_order(reader, ids, x))):
            gains = [int(i in relevant) for i in order[:5]]
            sums[f"ndcg_{name}"] += ndcg_at(gains, len(relevant))
            sums[f"p5_{name}"] += sum(gains) / 5
    return {key: round(value / max(counted, 1), 4) for key, value in sums.items()} | {
        "readers_evaluated": counted
    }


def simulate(
    *, reader_count: int, days: int, seed: int, issue_size: int = 50, look: int = 20,
    noise: float = 0.1, background: int = 200,
) -> Figures:  # fmt: skip
    """Train on `days` days; after each, evaluate on the next day's papers (all of them)."""
    rng = np.random.default_rng(seed)
    world = World(load_days(days + 1), rng)
    people = readers(reader_count, rng)
    figures = Figures()
    world.arrive(0)
    for day in range(days):
        issue = world.issue(day, issue_size)
        x = world.matrix(issue)
        recent = world.day_ids[day][-background:]
        for reader in people:
            vote(reader, world, personal_order(reader, issue, x), rng, look=look, noise=noise)
            retrain(reader, world, recent, figures)
        world.arrive(day + 1)  # tomorrow's papers are vectorized before they are ranked
        result = evaluate(people, world, world.day_ids[day + 1])
        figures.days.append({"day": day + 1, **result})
    figures.models = [reader.model for reader in people if reader.model is not None]
    return figures
