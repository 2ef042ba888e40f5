"""`digestbot site build --out DIR [--base-url URL]`: the web archive as static files.

The base URL is where the copy will be served (`https://user.github.io/repo/`): links live
under its path and the feeds and Open Graph tags need it absolute. `--base-url`, else
PUBLIC_BASE_URL; with neither, one line says what to pass. The crawl is `bot.web.static_site`.
"""

from __future__ import annotations

import argparse
import time

from bot.commands.context import Deps
from bot.web.static_site import build_site, output_dir, static_config
from core.config import Settings
from domain.errors import InvalidInput
from storage.db import Database


async def cmd_site(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    base_url = args.base_url or settings.public_base_url
    if not base_url:
        raise InvalidInput(
            "site build needs the address the site will be served at: pass --base-url "
            "https://user.github.io/repo/ (or set PUBLIC_BASE_URL)"
        )
    config = static_config(base_url)
    out = output_dir(args.out)
    started = time.perf_counter()
    report = await build_site(Deps(settings=settings, db=db), out, config)
    seconds = time.perf_counter() - started
    print(
        f"site written to {out}: {report.pages} pages, {report.files} other files "
        f"in {seconds:.1f} s, for {base_url}"
    )
    for broken in report.broken:
        print(f"broken link: {broken}")
    return 1 if report.broken else 0
