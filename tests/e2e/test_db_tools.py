"""`digestbot db backup` and `digestbot db copy` run as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from storage.db import Database
from storage.transfer import TABLES, count_rows
from tests.e2e.cli_process import base_env, closed_port, digestbot
from tests.integration.transfer_helpers import fill, search_ids

PASSWORD = "pw-never-printed-7"


def _with_password(db: Database) -> str:
    return make_url(db.url).set(password=PASSWORD).render_as_string(hide_password=False)


async def test_backup_writes_once_then_refuses(sqlite_db: Database, tmp_path: Path) -> None:
    await fill(sqlite_db, papers=3)
    env = base_env(tmp_path)
    ran = digestbot("db", "backup", "--out", "backups/one.db", env=env, cwd=tmp_path)
    assert ran.code == 0, ran.output
    assert (
        ran.stdout.startswith("backup written to backups/one.db (")
        and f"{len(TABLES)} tables" in ran.stdout
    )
    again = digestbot("db", "backup", "--out", "backups/one.db", env=env, cwd=tmp_path)
    assert again.code == 1 and again.err_lines == [
        "backups/one.db already exists; pass --force to overwrite it"
    ]
    forced = digestbot("db", "backup", "--out", "backups/one.db", "--force", env=env, cwd=tmp_path)
    assert forced.code == 0, forced.output


async def test_backup_on_postgresql_points_to_pg_dump(
    postgres_db: Database, tmp_path: Path
) -> None:
    env = base_env(tmp_path, DATABASE_URL=postgres_db.url)
    ran = digestbot("db", "backup", "--out", "b.db", env=env, cwd=tmp_path)
    assert ran.code == 1 and len(ran.err_lines) == 1 and "pg_dump" in ran.stderr


async def test_copy_to_postgresql_hides_the_password(
    sqlite_db: Database, postgres_db: Database, tmp_path: Path
) -> None:
    await fill(sqlite_db)
    env = base_env(tmp_path)
    url = _with_password(postgres_db)
    ran = digestbot("db", "copy", "--to", url, env=env, cwd=tmp_path)
    assert ran.code == 0, ran.output
    assert PASSWORD not in ran.output and "postgres:***@" in ran.stdout
    assert "papers" in ran.stdout and "search index rebuilt" in ran.stdout
    assert await count_rows(postgres_db) == await count_rows(sqlite_db)
    assert await search_ids(postgres_db) == await search_ids(sqlite_db)
    again = digestbot("db", "copy", "--to", url, env=env, cwd=tmp_path)
    assert again.code == 1 and len(again.err_lines) == 1, again.output
    assert "not empty" in again.stderr and PASSWORD not in again.output


async def test_an_unreachable_target_is_one_line_without_its_password(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/test"
    ran = digestbot("db", "copy", "--to", url, env=base_env(tmp_path), cwd=tmp_path)
    assert ran.code == 1 and len(ran.err_lines) == 1, ran.output
    assert ran.stderr.startswith("cannot use the target postgresql+psycopg://postgres:***@")
    assert PASSWORD not in ran.output
