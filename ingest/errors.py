"""Validation errors that name the file, the line and the field, so a curator can fix them."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class FactError:
    """One problem in the curated facts."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class FactsInvalid(Exception):
    """Raised with every error found; nothing has been written when it is raised."""

    def __init__(self, errors: list[FactError]):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(error) for error in self.errors))
