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

# `digestbot run` serves one HTTP port (HTTP_LISTEN, default 0.0.0.0:8080): Telegram's webhook,
# WeChat's /wechat, /healthz, /readyz and /metrics. The health check is /healthz, liveness only
# (an outside service being down must not restart the bot), asked at HTTP_LISTEN's port with
# the standard library: the slim image has no curl. /readyz is for orchestrators that route.
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = (os.environ.get('HTTP_LISTEN') or ':8080').rpartition(':')[2]; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=5)"]

# Configuration comes from the environment (compose's env_file: .env); see .env.example.
CMD ["digestbot", "run"]
