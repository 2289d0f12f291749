"""`/curation` for the holder of the write token: paste or upload an article, see the draft.

The page runs `jalinan draft` on the text (the same `ingest.drafting` code, with a gazetteer of
the store's own names) and shows the article beside the draft: each sentence a proposal quotes
is highlighted and links to the proposal's record in the YAML, skipped site furniture is shown
greyed with the reason, and the YAML can be downloaded (`POST /curation/draft.yaml`, the same
form, so it works without JavaScript). Nothing is written to the store: the curator reviews the
file, then validates and ingests it with the command line.

The token is a form field (a browser cannot send `Authorization` from a plain form) compared in
constant time with the server's; without a write token the server offers no curation.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from jalinan.api.dependencies import SettingsDep, StoreDep
from jalinan.api.explorer.templating import render
from jalinan.api.settings import Settings
from jalinan.graph import GraphStore
from jalinan.ingest.drafting.draft import Draft, draft_article
from jalinan.ingest.drafting.gazetteer import Gazetteer, entries_from_store
from jalinan.ingest.drafting.text import paragraphs, sentences
from jalinan.ingest.drafting.writer import DraftWriter, slug

router = APIRouter(include_in_schema=False)
_GAZETTEERS: dict[str | None, Gazetteer] = {}  # by data version: the names change with writes


def _gazetteer(store: GraphStore) -> Gazetteer:
    version = store.version
    if version is None or version not in _GAZETTEERS:
        gazetteer = Gazetteer(entries_from_store(store))
        if version is None:
            return gazetteer
        _GAZETTEERS.clear()
        _GAZETTEERS[version] = gazetteer
    return _GAZETTEERS[version]


class _Refused(Exception):
    def __init__(self, status: int, message: str, field: str | None = None):
        self.status, self.message, self.field = status, message, field


def _check_token(settings: Settings, token: str) -> None:
    if not settings.writes_enabled:
        raise _Refused(403, "This server was started without a write token, so it offers no curation.")
    if not hmac.compare_digest(token.encode(), (settings.write_token or "").encode()):
        raise _Refused(403, "That is not this server's write token.", "token")


async def _text_of(text: str, upload: UploadFile | None, name: str = "") -> tuple[str, str]:
    """The article's text and its file name (the upload's, or one made from the first line)."""
    if upload is not None and upload.filename:
        data = await upload.read()
        try:
            decoded = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Refused(422, f"The file is not UTF-8 text (byte {exc.start}).", "file") from None
        return decoded, upload.filename.rsplit("/", 1)[-1]
    if not text.strip():
        raise _Refused(422, "Paste the article's text, or choose its file.", "text")
    if re.fullmatch(r"[\w.-]{1,120}\.txt", name):
        return text, name
    first = next((line for line in text.splitlines() if line.strip()), "article")
    return text, f"{slug(first)[:40] or 'article'}.txt"


def _date(value: str) -> str | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise _Refused(422, f"{value!r} is not a date like 2025-04-17.", "date") from None


def _marked_text(text: str, draft: Draft, writer: DraftWriter) -> list[dict[str, Any]]:
    """The article as paragraphs of pieces: plain text, or a sentence some proposals quote."""
    quoted: dict[str, list[dict[str, str]]] = {}
    for proposed in writer.proposals:
        for quote in proposed.quotes:
            quoted.setdefault(" ".join(quote.split()), []).append({"id": proposed.id, "what": proposed.what})
    out = []
    for paragraph in paragraphs(text):
        if paragraph.furniture:
            out.append({"skipped": paragraph.furniture, "pieces": [{"text": paragraph.text}]})
            continue
        pieces: list[dict[str, Any]] = []
        position = paragraph.start
        for sentence in sentences(paragraph):
            if sentence.start > position:
                pieces.append({"text": text[position : sentence.start]})
            proposals = quoted.get(" ".join(sentence.text.split()))
            pieces.append({"text": sentence.text, "proposals": proposals or []})
            position = sentence.start + len(sentence.text)
        end = paragraph.start + len(paragraph.text)
        if position < end:
            pieces.append({"text": text[position:end]})
        out.append({"skipped": None, "pieces": pieces})
    return out


def _yaml_lines(yaml_text: str, writer: DraftWriter) -> list[dict[str, str | None]]:
    """The YAML line by line, the first line of each proposal carrying its anchor."""
    starts = {proposed.line: proposed.id for proposed in writer.proposals}
    return [
        {
            "text": line,
            "anchor": starts.get(number),
            "review": "review" if re.match(r"\s*review:", line) else None,
        }
        for number, line in enumerate(yaml_text.splitlines(), 1)
    ]


async def _draft(
    request: Request, store: GraphStore, settings: Settings, form: dict[str, Any], upload: UploadFile | None
) -> tuple[str, str, Draft, DraftWriter, str]:
    _check_token(settings, form["token"])
    text, name = await _text_of(form["text"], upload, form.get("name", ""))
    date = _date(form["date"])
    publisher = form["publisher"].strip() or None

    def work() -> tuple[Draft, DraftWriter, str]:
        gazetteer = _gazetteer(store)
        draft = draft_article(text, gazetteer, source_file=name, date=date, publisher=publisher)
        writer = DraftWriter(draft, gazetteer, url=form["url"].strip() or None)
        return draft, writer, writer.write()

    draft, writer, yaml_text = await run_in_threadpool(work)
    return text, name, draft, writer, yaml_text


def _form_page(request: Request, form: dict[str, Any], refused: _Refused | None = None) -> Response:
    return render(
        request,
        "curation.html",
        {"form": {k: v for k, v in form.items() if k != "token"}, "error": refused},
        status_code=refused.status if refused else 200,
    )


EMPTY_FORM = {"text": "", "date": "", "publisher": "", "url": "", "token": "", "name": ""}
Field = Annotated[str, Form()]


def curation_fields(
    token: Field = "",
    text: Field = "",
    date: Field = "",
    publisher: Field = "",
    url: Field = "",
    name: Field = "",
) -> dict[str, str]:
    """The curation form's text fields, as one mapping (both routes read the same form)."""
    return {"token": token, "text": text, "date": date, "publisher": publisher, "url": url, "name": name}


FormDep = Annotated[dict[str, str], Depends(curation_fields)]


@router.get("/curation")
def curation_form(request: Request) -> Response:
    return _form_page(request, EMPTY_FORM)


@router.post("/curation")
async def curation_draft(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    form: FormDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        article, name, draft, writer, yaml_text = await _draft(request, store, settings, form, file)
    except _Refused as refused:
        return _form_page(request, form, refused)
    counts = {
        "known": len(draft.names.known_entries()),
        "new": len(draft.names.candidates),
        "agreements": len(draft.agreements),
        "visits": len(draft.visits),
        "skipped": len(draft.skipped),
    }
    return render(
        request,
        "curation.html",
        {
            "form": {**form, "text": article, "token": ""},
            "token": form["token"],  # kept in the download form only, as the curator typed it
            "name": name,
            "article": _marked_text(article, draft, writer),
            "yaml": _yaml_lines(yaml_text, writer),
            "proposals": writer.proposals,
            "counts": counts,
            "error": None,
        },
    )


@router.post("/curation/draft.yaml")
async def curation_download(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    try:
        _, name, _, _, yaml_text = await _draft(request, store, settings, form, None)
    except _Refused as refused:
        return _form_page(request, form, refused)
    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", name.rsplit(".", 1)[0]) + ".yaml"
    return Response(
        yaml_text.encode("utf-8"),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
