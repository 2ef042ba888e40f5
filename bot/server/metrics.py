"""`/metrics`: every metric of `core.metrics` in Prometheus's text format.

The delivery queue is a gauge read from the ledger at scrape time (through
`core.services.health`), so it is right whoever filled the queue; a database that does not
answer leaves it out of that scrape (the counters are still served) and says so in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core import metrics
from core.services.health import delivery_queue_depth
from storage.db import Database

log = logging.getLogger(__name__)


def metrics_routes(db: Database, platforms: Sequence[str] = ()) -> list[Route]:
    """/metrics; `platforms` (the configured ones) show a queue depth of 0 when idle."""

    async def scrape(request: Request) -> Response:
        try:
            metrics.set_queue_depth(await delivery_queue_depth(db), platforms)
        except Exception as error:  # the counters are still worth serving
            log.warning("metrics: delivery queue not read (%s)", type(error).__name__)
            metrics.DELIVERY_QUEUE.clear()
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    return [Route("/metrics", scrape, methods=["GET"])]
