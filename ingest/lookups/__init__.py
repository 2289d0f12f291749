"""SPARQL that ingest runs against the store (kept as files, runnable in any client)."""
