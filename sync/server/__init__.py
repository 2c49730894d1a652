"""The central ReviewApp server: FastAPI over SQLAlchemy (PostgreSQL in production, SQLite embedded)."""
