"""An article's text as paragraphs and sentences, with site furniture set apart.

A draft's quotes must be verbatim, so every sentence keeps its exact characters and its offset
in the text. News pages carry more than the story: advertisements, navigation ("Previous Post"),
image credits, newsletter blurbs and company self-promotion. Those are recognised here, by the
shapes such text takes, and never become facts; the draft lists them as skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally followed by a closing quote) before a space and a
# capital letter or an opening quote. Abbreviations that end in a dot inside a sentence
# ("Nov.", "Datuk Seri", "Dr.") are few in news copy; those below are kept together.
_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’]?\s+(?=[“\"‘A-Z0-9])")
_ABBREVIATIONS = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Prof|No|St|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)

# Furniture: lines and blocks a news site wraps around the story.
_FURNITURE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("advertisement", re.compile(r"^\s*advertisement\s*$", re.I)),
    ("image credit", re.compile(r"^\s*\(?\s*(image credits?|credit|photo|picture|source)\s*:", re.I)),
    (
        "navigation",
        re.compile(
            r"^\s*(previous post|next post|related posts?|latest posts?|don'?t miss|"
            r"stay in touch|share|total|close this search box|read more|"
            r"image_pdf.*|download article|\d+)\.?\s*$",
            re.I,
        ),
    ),
    (
        "newsletter blurb",
        re.compile(
            r"\b(subscribe to|sign up for|share your thoughts|follow us|"
            r"to be updated with all the latest|newsletter)\b",
            re.I,
        ),
    ),
    (
        "site notice",
        re.compile(
            r"\b(getting your .* ready|we are creating some awesome events|"
            r"kindly bear with us|audio player)\b",
            re.I,
        ),
    ),
    (
        "company promotion",
        re.compile(
            r"\b(for more information, visit|our (solutions|customers|clients|"
            r"mission|expertise)|we (bring|are dedicated|nurture|focus)|"
            r"(serves|supporting) (more than )?[\d,.]+ (active )?customers|"
            r"is a (leading|premier)\b.*\b(provider|organisation|organization|company)|"
            r"\bboasts\b|partner of [A-Z]|provides [a-z -]*(software|solutions|services))",
            re.I,
        ),
    ),
]
# First person plural outside any quotation: a company speaking of itself, not a report.
_SELF_PROMOTION = re.compile(r"\b(we|our|us)\b", re.I)
_QUOTE_MARKS = re.compile(r"[“”\"]")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the article text
    paragraph: int


@dataclass(frozen=True)
class Paragraph:
    text: str
    start: int
    index: int
    furniture: str | None  # why it was set apart, or None for the story


def _furniture_reason(text: str) -> str | None:
    for reason, pattern in _FURNITURE_PATTERNS:
        if pattern.search(text):
            return reason
    if _SELF_PROMOTION.search(text) and not _QUOTE_MARKS.search(text):
        return "company promotion"
    return None


def paragraphs(text: str) -> list[Paragraph]:
    """Non-empty lines of the text, each a paragraph (news copy puts one paragraph per line)."""
    found: list[Paragraph] = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group(0)
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        found.append(Paragraph(stripped, start, len(found), _furniture_reason(stripped)))
    return found


def is_headline_like(paragraph: Paragraph) -> bool:
    """A line without a full stop: a headline, a caption or a menu entry, not a sentence."""
    return not re.search(r"[.!?][”\"’]?\s*$", paragraph.text)


def sentences(paragraph: Paragraph) -> list[Sentence]:
    """The paragraph's sentences, verbatim, with their offsets in the article."""
    out: list[Sentence] = []
    begin = 0
    text = paragraph.text
    for match in _SENTENCE_END.finditer(text):
        candidate = text[begin : match.start()].rstrip()
        end_text = text[
            begin : match.start() + (1 if text[match.start() : match.start() + 1] in '”"’' else 0)
        ]
        if _ABBREVIATIONS.search(candidate):
            continue
        piece = end_text.strip()
        if piece:
            out.append(Sentence(piece, paragraph.start + begin, paragraph.index))
        begin = match.end()
    rest = text[begin:].strip()
    if rest:
        out.append(Sentence(rest, paragraph.start + begin, paragraph.index))
    return out
