"""Checks on the TOML settings file that pydantic leaves out: keys it does not know.

The settings models ignore unknown keys, so that brand settings saved by another version of the desk still load.
In a file a person wrote, though, an unknown key is a typo ('handels', 'langauges', `[notfy]`), and ignoring it
silently leaves the desk on a default nobody chose. So the file's keys are checked against the models, with the
nearest known key suggested.
"""

from __future__ import annotations

import difflib
import tomllib
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError


class SettingsInvalid(ValueError):
    """The settings (file or `WAKEFUL_*` variables) hold something the desk cannot use; the message says what."""


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models a field holds: itself, or inside `list[...]`, `X | None`, `dict[str, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (list, tuple, dict, Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in _models_in(arg)]
    return []


def unknown_keys(model: type[BaseModel], data: Mapping[str, Any], path: str = "") -> Iterator[str]:
    """Dotted paths of the keys in `data` that `model` (and the models in its fields) does not have, each with the
    nearest known key when there is one close enough."""
    fields = model.model_fields
    names = {f.alias or name: name for name, f in fields.items()} | {name: name for name in fields}
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if key not in names:
            near = difflib.get_close_matches(key, list(names), n=1)
            yield f"{where} (did you mean {near[0]!r}?)" if near else where
            continue
        field = fields[names[key]]
        nested = _models_in(field.annotation)
        if not nested:
            continue
        if isinstance(value, list):
            children = [(f"{where}[{index}]", item) for index, item in enumerate(value)]
        elif get_origin(field.annotation) is dict and isinstance(value, Mapping):
            children = [(f"{where}.{name}", item) for name, item in value.items()]
        else:
            children = [(where, value)]
        for child, item in children:
            if isinstance(item, Mapping):
                yield from unknown_keys(nested[0], item, child)


def check_file(model: type[BaseModel], path: Path) -> None:
    """`SettingsInvalid` naming the file and every unknown key in it; nothing when the file is fine or absent."""
    if not path.is_file():
        return
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise SettingsInvalid(f"{path} is not valid TOML: {err}") from None
    unknown = list(unknown_keys(model, data))
    if unknown:
        raise SettingsInvalid(f"{path}: unknown setting{'s' if len(unknown) > 1 else ''} " + ", ".join(unknown))


def explain(err: ValidationError, source: str) -> SettingsInvalid:
    """A settings `ValidationError` as one readable line per problem, saying where settings come from."""
    problems = [f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']} (got {e['input']!r})"
                for e in err.errors(include_url=False)]
    return SettingsInvalid(f"invalid settings ({source}): " + "; ".join(problems))
