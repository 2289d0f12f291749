"""Curated facts: `entities.yaml` and one YAML file per source article (see ingest/README.md)."""
