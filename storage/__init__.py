"""All database I/O: SQLAlchemy models, queries, full-text search and Alembic migrations.

The only package that speaks SQL. Query functions are keyword-only and take a session.
"""
