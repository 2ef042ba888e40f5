"""WeChat's reader words route where readers mean them: marks by number or id, /similar and
/paper by id, and the same words starting a search stay a search."""

from __future__ import annotations

import pytest

from bot.wechat.commands import Route, route


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("赞 3", Route("mark", "up", "3")),
        ("赞3", Route("mark", "up", "3")),
        ("踩 12", Route("mark", "down", "12")),
        ("收藏 2402.01399", Route("mark", "save", "2402.01399")),
        ("取消收藏 3", Route("mark", "unsave", "3")),
        ("取消赞 3", Route("mark", "unvote", "3")),
        ("收藏", Route("mark", "save", "")),  # alone: the usage
        ("我的收藏", Route("command", "saved", "")),
        ("相似 2402.01399", Route("command", "similar", "2402.01399")),
        ("相似", Route("command", "similar", "")),
        ("忘记我的反馈", Route("command", "forget", "")),
        ("赞美诗", Route("command", "search", "赞美诗")),
        ("收藏 扩散模型", Route("command", "search", "收藏 扩散模型")),
        ("相似度 学习", Route("command", "search", "相似度 学习")),
        ("论文写作", Route("command", "search", "论文写作")),
        ("论文 2402.01399", Route("command", "paper", "2402.01399")),
    ],
)
def test_reader_words(typed: str, expected: Route) -> None:
    assert route(typed) == expected
