"""The web archive: published issues, papers, search and topics as server-rendered pages.

A front end like the others (parse, call one `core.services.archive` / search / popular
service, render; never the database). Routes: see `bot.web.routes` (`web_routes(deps)`, mounted
last on the one HTTP server by `cli.http`). Links: every internal URL is built by
`bot.web.links.Links` (base path, `/en` prefix, directory style for a static copy). Pages are
Jinja2 templates under `templates/` with autoescape on; headers and 304s in `bot.web.headers`.
"""
