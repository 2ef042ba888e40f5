"""The redactor and the logging filter/formatter behind "no secret in any output": every form
a secret takes in text (plain, URL-encoded, in a URL's password or `key=`), in a record's
message, its arguments and its traceback. The subprocess proof is tests/e2e/test_no_secrets."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from cli.logs import RedactFilter, RedactingFormatter
from core.redact import Redactor, install, mask_url, redact
from tests.conftest import make_settings

TOKEN = "7312345678:AAHk3xPq9vWmZt2LrYs8NcBd4FgJh6KuE0i"
KEY = "sk-proj-Q2x8vN4mK7pR1tY6wE3zL9aB5cD0fG"
WECOM = "693a91f6-7e1b-4bc4-97a0-0ec2a1f69a2d"
PASSWORD = "s3cr3t/p@ss"


@pytest.fixture
def redactor() -> Iterator[Redactor]:
    settings = make_settings(
        telegram_bot_token=TOKEN,
        openai_api_key=KEY,
        wecom_webhook_urls=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM}",
        database_url=f"postgresql+psycopg://u:{quote(PASSWORD, safe='')}@db/x",
    )
    redactor = Redactor.from_settings(settings)
    install(redactor)
    yield redactor
    install(Redactor())


@pytest.mark.parametrize(
    "text",
    [
        f"GET https://api.telegram.org/bot{TOKEN}/getMe",
        f"The token `{TOKEN}` was rejected by the server.",
        f"url=https%3A%2F%2Fapi.telegram.org%2Fbot{quote(TOKEN, safe='')}%2FgetMe",
        f"Authorization: Bearer {KEY}",
        f"POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM} 200",
        f"connect to postgresql://u:{quote(PASSWORD, safe='')}@db/x failed",
        f"password {PASSWORD} refused",
    ],
)
def test_every_form_is_redacted(redactor: Redactor, text: str) -> None:
    out = redactor(text)
    for secret in (TOKEN, TOKEN.split(":")[1], KEY, WECOM, PASSWORD, quote(PASSWORD, safe="")):
        assert secret not in out
    assert "***" in out


def test_token_shaped_strings_are_redacted_even_when_not_ours() -> None:
    other = "5550001112:AAFq" + "x" * 31
    assert other not in Redactor()(f"bot{other}/getMe")
    assert Redactor()("arXiv 2402.01399 and 12:30") == "arXiv 2402.01399 and 12:30"


def test_mask_url_hides_password_and_key() -> None:
    shown = mask_url(f"https://h/send?key={WECOM}&debug=1")
    assert WECOM not in shown and "debug=1" in shown
    assert PASSWORD not in mask_url(f"postgresql://u:{PASSWORD}@db/x")


def test_log_records_arguments_and_tracebacks_are_redacted(redactor: Redactor) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter())
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling %s", f"/bot{TOKEN}/getMe")
        logger.debug("dict args %(url)s", {"url": f"?key={WECOM}"})
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected, key {KEY}")
        except RuntimeError:
            logger.exception("start-up failed")
        logger.error("stack", stack_info=True, extra={"note": KEY})
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "Traceback" in text and "RuntimeError" in text
    for secret in (TOKEN, KEY, WECOM):
        assert secret not in text
    assert redact(f"x{KEY}x") == "x***x"
