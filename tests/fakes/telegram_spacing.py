"""The send-spacing rule, checked on the fake Bot API's record of what it accepted.

Telegram's limits: about 30 messages a second overall, 20 a minute to one group or channel.
The fake records every request with the time it answered; `assert_send_spacing(fake)` fails
when any 1-second window holds more than 30 accepted sends, or any 60-second window more than
20 accepted sends to one group or channel. A send is any accepted `send*` request (messages,
media, chat actions): what the bot pushes into a chat.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_state import Call

OVERALL = (30, 1.0)  # at most 30 sends in any 1 s
PER_GROUP = (20, 60.0)  # at most 20 sends to one group or channel in any 60 s


def accepted_sends(fake: FakeTelegram) -> list[Call]:
    return [call for call in fake.calls() if call.ok and call.method.startswith("send")]


def busiest_window(times: Iterable[float], period: float) -> tuple[int, float]:
    """(the most sends in any half-open window of `period` seconds, when it starts)."""
    ordered = sorted(times)
    best, start, first = 0, 0.0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= period:
            first += 1
        if last - first + 1 > best:
            best, start = last - first + 1, ordered[first]
    return best, start


def spacing_violations(fake: FakeTelegram) -> list[str]:
    sends = accepted_sends(fake)
    found = []
    limit, period = OVERALL
    count, start = busiest_window((call.at for call in sends), period)
    if count > limit:
        found.append(f"{count} sends overall within {period} s (from t={start:.3f})")
    limit, period = PER_GROUP
    for chat, times in _group_sends(fake, sends).items():
        count, start = busiest_window(times, period)
        if count > limit:
            found.append(f"{count} sends to group {chat} within {period} s (from t={start:.3f})")
    return found


def assert_send_spacing(fake: FakeTelegram) -> None:
    """No 1-second window over 30 sends overall; no minute over 20 for one group or channel."""
    found = spacing_violations(fake)
    assert not found, "Telegram's send limits broken: " + "; ".join(found)


def _group_sends(fake: FakeTelegram, sends: list[Call]) -> dict[int, list[float]]:
    by_chat: dict[int, list[float]] = defaultdict(list)
    with fake.api.lock:
        for call in sends:
            chat = fake.api.find_chat(call.params.get("chat_id"))
            if chat is not None and chat.type != "private":
                by_chat[chat.id].append(call.at)
    return by_chat
