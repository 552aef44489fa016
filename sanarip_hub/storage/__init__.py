"""Storage: the SQLAlchemy 2 model of the hub, its Alembic migrations, engines and bulk loading.

Every feature runs on embedded SQLite (the default) and on PostgreSQL; the same test suite runs
against both.  SQLAlchemy is used here and nowhere else in the project.
"""
