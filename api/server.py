"""`jalinan serve`: open the store, build the app, print the URLs, run uvicorn."""

import argparse
import sys

import uvicorn

from jalinan.api.app import create_app
from jalinan.api.settings import Settings
from jalinan.graph import StoreError, StoreLockedError, open_store


def serve(args: argparse.Namespace) -> int:
    settings = Settings.from_args(args)
    try:
        store = open_store(settings.store_path)
    except StoreLockedError as exc:
        print(f"jalinan serve: {exc}", file=sys.stderr)
        return 3
    except StoreError as exc:
        print(f"jalinan serve: cannot open the store: {exc}", file=sys.stderr)
        return 3
    try:
        if not store.graph_names():
            print(
                f"jalinan serve: warning: the store at {settings.store_path} is empty; "
                f"run `jalinan ingest --store {settings.store_path}` first",
                file=sys.stderr,
            )
        app = create_app(settings, store)
        base = settings.base_url
        print(
            "Jalinan is serving:\n"
            f"  SPARQL endpoint  {base}/sparql\n"
            f"  canned queries   {base}/queries\n"
            f"  example query    {base}/queries/agreements-by-party?party=Mosti\n"
            f"  friendly JSON    {base}/agreements?party=Mosti\n"
            f"  entity page      {base}/id/mosti\n"
            f"  API docs         {base}/docs\n"
            f"  writes           {'enabled (Bearer token)' if settings.writes_enabled else 'disabled'}",
            flush=True,
        )
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    finally:
        store.close()
    return 0
