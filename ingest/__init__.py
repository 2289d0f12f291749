"""Validate curated YAML facts and turn them into quads with provenance (see README.md)."""
