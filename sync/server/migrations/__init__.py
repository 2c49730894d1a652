"""Alembic migrations of the server schema, shipped inside the package so `init-db` and `serve` can run them."""
