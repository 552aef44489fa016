"""Alembic environment: always run with a connection handed in by :mod:`sanarip_hub.storage.migrate`.

The hub never reads ``alembic.ini``: the CLI builds the Alembic config in code from the hub's own
settings, so there is one source of truth for the database URL and schema.
"""

from alembic import context

from sanarip_hub.storage.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through 'sanarip-hub db upgrade', which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most constraints
    compare_type=True,
    compare_server_default=False,
)
with context.begin_transaction():
    context.run_migrations()
