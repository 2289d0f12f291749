"""The source articles' texts, where they are available, for checking quotes verbatim.

The articles are not part of the product: ingest works without them (the curated YAML carries
each article's SHA-256), and checks quotes and checksums only when a directory is given.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

ARTICLES_ENV_VAR = "JALINAN_ARTICLES"
_SPACE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Collapse runs of white space, so a quote may wrap differently from the article."""
    return _SPACE.sub(" ", text).strip()


@dataclass
class ArticleTexts:
    """Article files by name, read lazily from `directory` (None: no texts to check against)."""

    directory: Path | None
    _cache: dict[str, tuple[str, str] | None] = field(default_factory=dict)

    def get(self, source_file: str) -> tuple[str, str] | None:
        """(normalised text, sha256 hex) of one article file, or None when not available."""
        if self.directory is None:
            return None
        if source_file not in self._cache:
            path = self.directory / source_file
            if Path(source_file).name != source_file or not path.is_file():
                self._cache[source_file] = None
            else:
                raw = path.read_bytes()
                text = normalise_space(raw.decode("utf-8", errors="replace"))
                self._cache[source_file] = (text, hashlib.sha256(raw).hexdigest())
        return self._cache[source_file]
