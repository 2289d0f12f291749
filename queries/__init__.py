"""Canned SPARQL queries: one `.rq` file each, plain SPARQL with a header comment.

The files are data, not code: adding a query needs no Python change. `catalogue` reads them.
"""
