"""Read YAML keeping the line of every mapping key, for error messages that point at the line.

libyaml's parser (CSafeLoader) when available, the pure-Python one otherwise; only the
constructors are ours. Dates and years stay as the curator wrote them, never silently parsed
into `datetime.date`, because a date's precision lies in its written form.
"""

from pathlib import Path
from typing import Any

import yaml

from jalinan.ingest.errors import FactError, FactsInvalid

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedDict(dict):
    """A mapping that remembers its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A sequence that remembers its own line."""

    line: int


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error becomes a `FactsInvalid` naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FactsInvalid([FactError(path, 0, "", f"not UTF-8 text ({exc.reason})")]) from exc
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        raise FactsInvalid([FactError(path, line, "", f"invalid YAML: {problem}")]) from exc
    except yaml.YAMLError as exc:
        raise FactsInvalid([FactError(path, 0, "", f"invalid YAML: {exc}")]) from exc
