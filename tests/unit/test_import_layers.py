"""The layers hold: domain at the bottom, storage on domain only, services and jobs below the
front ends, and no import cycle, so each layer can be read and tested without the ones above.

Each failure lists the offending imports (file:line imports module).
"""

from __future__ import annotations

from tests.import_graph import PACKAGES, Import, cycles, imports

ALL = imports()


def _listing(found: list[Import]) -> str:
    """One line per import statement (a `from x import a, b` names x once)."""
    return "\n".join(dict.fromkeys(str(i) for i in found))


def _crossing(source: str, allowed: set[str]) -> list[Import]:
    return [
        i for i in ALL if i.source_package == source and i.target_package not in allowed | {source}
    ]


def test_the_graph_sees_our_imports() -> None:
    """A guard for the guard: a parser that found nothing would pass every rule below."""
    pairs = {(i.source_package, i.target_package) for i in ALL}
    assert ("storage", "domain") in pairs
    assert ("core", "storage") in pairs
    assert ("bot", "core") in pairs


def test_domain_imports_nothing_of_ours() -> None:
    bad = _crossing("domain", set())
    assert not bad, "domain must import none of our packages:\n" + _listing(bad)


def test_storage_imports_only_domain() -> None:
    bad = _crossing("storage", {"domain"})
    assert not bad, "storage may import only domain:\n" + _listing(bad)


def test_jobs_and_core_never_import_front_ends() -> None:
    bad = [
        i
        for i in ALL
        if i.source_package in {"jobs", "core"} and i.target_package in {"bot", "cli"}
    ]
    assert not bad, "jobs and core must not import bot or cli:\n" + _listing(bad)


def test_no_cycle_between_packages() -> None:
    crossing = [i for i in ALL if i.source_package != i.target_package]
    loops = cycles((i.source_package, i.target_package) for i in crossing)
    offending = [
        i
        for loop in loops
        for i in crossing
        if i.source_package in loop and i.target_package in loop
    ]
    assert not loops, f"import cycle between packages {loops}:\n" + _listing(offending)
    assert set(PACKAGES) >= {i.source_package for i in ALL}


def test_no_cycle_between_telegram_modules() -> None:
    here = "bot.telegram"
    inside = [i for i in ALL if i.source.startswith(here) and i.target.startswith(here)]
    loops = cycles((i.source, i.target) for i in inside)
    offending = [i for loop in loops for i in inside if i.source in loop and i.target in loop]
    assert not loops, f"import cycle in bot/telegram {loops}:\n" + _listing(offending)
