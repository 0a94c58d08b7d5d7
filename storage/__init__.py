"""Persistence: the SQLite project file (SQLAlchemy + Alembic) and the Whoosh index."""
