"""Storage: the SQLAlchemy 2 model of the hub, its Alembic migrations, engines, bulk loading and the
repositories that read it as typed rows (``service_data``, ``people``, ``mismatches`` …).

Every feature runs on embedded SQLite (the default) and on PostgreSQL; the same test suite runs
against both.  SQL belongs here; the modules that still run their own queries are named in the
"SQL lives in storage" import contract and in ``docs/architecture.md``.
"""
