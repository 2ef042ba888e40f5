# digestbot as a container: `docker compose up -d` (compose.yaml: the bot and PostgreSQL 16).
#
# The install steps are the Makefile's (`make install`), the path the test suite runs on: a
# venv, pip upgraded, then an editable install of this tree — without the `[dev]` extras (pytest,
# ruff, mypy), which only the tests need. tests/unit/test_container_files.py keeps the two alike.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/app/.venv/bin:$PATH

RUN useradd --create-home --uid 10001 --user-group digestbot
WORKDIR /app

# Dependencies first (pyproject.toml only changes with them), so a code change rebuilds fast.
COPY pyproject.toml README.md ./
COPY domain domain
COPY core core
COPY bot bot
COPY jobs jobs
COPY storage storage
COPY cli cli

RUN python -m venv .venv
RUN python -m pip install --quiet --upgrade pip
RUN python -m pip install --quiet -e '.'

# The SQLite default (data/digestbot.db) and anything else written lives in /app/data.
RUN mkdir -p /app/data && chown digestbot:digestbot /app/data
VOLUME ["/app/data"]
USER digestbot

# For now the health check is `digestbot check` (settings, database, Telegram, LLM, arXiv,
# WeChat, each asked once with short timeouts): it also fails when an outside service is down,
# hence the long interval. Issue 10's HTTP server will bring /healthz, a cheap liveness probe;
# this line then becomes a request to it.
HEALTHCHECK --interval=10m --timeout=90s --start-period=2m --retries=3 \
    CMD ["digestbot", "check"]

# Configuration comes from the environment (compose's env_file: .env); see .env.example.
CMD ["digestbot", "run"]
