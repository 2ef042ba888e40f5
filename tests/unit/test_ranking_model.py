"""The numbers of personal relevance: stored rows round-trip, damaged ones read as empty,
and the simulated readership (`tests/ranking_sim.py`) is better served by its own models than
by the LLM's order, on a fixed seed."""

from __future__ import annotations

import numpy as np
import pytest

from core.services import ranking_model as rm
from tests.ranking_sim import simulate

TEXTS = [
    rm.paper_text("Robot grasping with reinforcement learning", "A robot arm learns to grasp."),
    rm.paper_text("Diffusion models for video", "We generate video with diffusion."),
    rm.paper_text("Reinforcement learning for legged robots", "Policies for walking robots."),
    rm.paper_text("Video diffusion transformers", "Scaling diffusion for video synthesis."),
]


def _world() -> tuple[rm.Idf, rm.Matrix]:
    tf = rm.term_frequencies(TEXTS)
    idf = rm.Idf()
    idf.add(tf)
    return idf, rm.weighted(rm.stack(tf), idf)


def test_vectors_and_counts_round_trip_through_bytes() -> None:
    tf = rm.term_frequencies(TEXTS[:1])[0]
    again = rm.SparseVector.unpack(*tf.pack())
    assert (again.indices == tf.indices).all() and (again.values == tf.values).all()
    idf, _ = _world()
    copy = rm.Idf.unpack(idf.documents, idf.pack())
    assert copy.documents == 4 and (copy.frequencies == idf.frequencies).all()


def test_damaged_rows_read_as_empty() -> None:
    for indices, values in [
        (b"\x01", b"\x01"),  # not whole numbers
        (np.array([5], "<i4").tobytes(), b""),  # sizes disagree
        (np.array([-1], "<i4").tobytes(), np.array([1], "<f4").tobytes()),  # out of range
        (np.array([7, 3], "<i4").tobytes(), np.array([1, 1], "<f4").tobytes()),  # unsorted
        (np.array([3], "<i4").tobytes(), np.array([np.nan], "<f4").tobytes()),
    ]:
        assert rm.SparseVector.unpack(indices, values).indices.size == 0
    assert rm.Idf.unpack(3, b"not zlib").documents == 0


def test_a_damaged_model_in_a_page_scores_as_no_opinion() -> None:
    _, x = _world()
    model = rm.train(x[:2], [1, 0])
    assert model is not None
    good = model.vector.pack()
    out_of_range = np.frombuffer(good[0], "<i4").copy()
    out_of_range[-1] = rm.N_FEATURES
    rows = [good, (b"\x01\x02", b""), (out_of_range.tobytes(), good[1]), good]
    models = [rm.SparseVector.unpack(*row) for row in rows]
    found = rm.page_scores(models, np.zeros(4, np.float32), rm.issue_columns(x))
    assert (found[1] == 0).all() and (found[2] == 0).all()
    assert np.allclose(found[0], rm.scores([model], x)[0] - model.intercept)
    assert np.allclose(found[0], found[3])


def test_a_model_needs_a_yes_and_a_no() -> None:
    _, x = _world()
    assert rm.train(x[:2], [1, 1]) is None
    assert rm.train(x[:2], [0, 0]) is None


def test_a_model_ranks_what_was_liked_first_and_similar_is_cosine() -> None:
    _, x = _world()
    model = rm.train(x[:2], [1, 0])  # likes robots, not video
    assert model is not None and model.vector.indices.size <= rm.KEEP_WEIGHTS
    scores = rm.scores([model], x)[0]
    assert scores[2] > scores[3]  # the unseen robot paper above the unseen video one
    (best, similarity), *_ = rm.nearest(x[3], x, 2)[1:]
    assert best == 1 and 0 < similarity < 1


@pytest.mark.timeout(300)  # ~20 s alone; CI shares 2 cores with the rest of the suite
def test_simulated_readers_are_better_served_by_their_own_models() -> None:
    figures = simulate(reader_count=12, days=2, seed=13)
    last = figures.days[-1]
    assert last["readers_evaluated"] >= 8
    assert last["ndcg_personal"] > last["ndcg_llm"]
    assert last["p5_personal"] > last["p5_llm"]
