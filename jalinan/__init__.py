"""Jalinan: a knowledge graph of Malaysia–China ties, every fact traced to its source article."""

__version__ = "0.1.0"
