"""Checks on the settings file and the `WAKEFUL_*` environment that pydantic leaves out: names it does not know.

The settings models ignore unknown keys, so that brand settings saved by another version of the desk still load.
In a file a person wrote, though, an unknown key is a typo ('handels', 'langauges', `[notfy]`), and ignoring it
silently leaves the desk on a default nobody chose. The same goes for a misspelt variable
(`WAKEFUL_PRIORTY__REACH_MODE`). So the file's keys and the variables' names are checked against the models, with
the nearest known name suggested.
"""

from __future__ import annotations

import difflib
import json
import re
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


OWN_VARIABLES = frozenset({"WAKEFUL_CONFIG", "WAKEFUL_NEW_PASSWORD", "WAKEFUL_DATA_DIR", "WAKEFUL_REQUIRE_POSTGRES",
                           "WAKEFUL_PG_BINDIR"})
"""`WAKEFUL_*` variables that are not settings but read where they are used: the settings file's name, the password
for `wakeful user add|passwd`, the data folder, and the test suite's PostgreSQL switches (`.ci/run`, tests/pg.py)."""


def _variable_problem(model: type[BaseModel], name: str, value: str, prefix: str, delimiter: str) -> str | None:
    """What is wrong with the settings variable `name` (prefix included), or None: each `delimiter`-separated part
    must be a field of the model reached so far (a dict's key is free), and a JSON value's keys must be known."""
    parts = name[len(prefix):].split(delimiter)
    current, done = model, 0
    while done < len(parts):
        part = parts[done].lower()
        fields = current.model_fields
        names = {key: key for key in fields} | {f.alias: key for key, f in fields.items() if f.alias}
        if part not in names:
            near = difflib.get_close_matches(part, list(names), n=1)
            if not near:
                return f"unknown variable {name}"
            fixed = prefix + delimiter.join([*parts[:done], near[0].upper(), *parts[done + 1:]])
            return f"unknown variable {name} (did you mean {fixed}?)"
        field = fields[names[part]]
        nested = _models_in(field.annotation)
        done += 1
        if done == len(parts):
            return _json_problem(current, part, value, name) if nested else None
        if not nested or get_origin(field.annotation) is list:
            return f"unknown variable {name} ({prefix}{delimiter.join(parts[:done])} takes one value, not parts)"
        if get_origin(field.annotation) is dict:
            done += 1  # a key of the dict (a brand's key, say): any name
        current = nested[0]
    return None


def _json_problem(model: type[BaseModel], key: str, value: str, name: str) -> str | None:
    """Unknown keys inside a JSON value given for a model field (`WAKEFUL_BRANDS='[{...}]'`); unreadable JSON is
    left to the settings, which name it."""
    try:
        data = json.loads(value)
    except ValueError:
        return None
    unknown = list(unknown_keys(model, {key: data}))
    return f"{name}: unknown setting{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}" if unknown else None


def check_environment(model: type[BaseModel], environ: Mapping[str, str], prefix: str = "WAKEFUL_",
                      delimiter: str = "__") -> None:
    """`SettingsInvalid` naming every `prefix` variable that sets nothing (a typo), with the nearest known name;
    names are matched without regard to case, as the settings read them."""
    problems = [problem for name in sorted(environ)
                if name.upper().startswith(prefix) and name.upper() not in OWN_VARIABLES
                and (problem := _variable_problem(model, name.upper(), environ[name], prefix, delimiter))]
    if problems:
        raise SettingsInvalid("WAKEFUL_* environment: " + "; ".join(problems))


_URL_PASSWORD = re.compile(r"(://[^/:@\s]*:)[^/@\s]*@")


def _shown(value: Any, limit: int = 120) -> str:
    """A value as an error may show it: a URL's password hidden (`database_url` and webhooks carry them), and a long
    one (every `[[brands]]` entry) cut, so the line stays one line."""
    text = _URL_PASSWORD.sub(r"\1***@", repr(value))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def explain(err: ValidationError, source: str) -> SettingsInvalid:
    """A settings `ValidationError` as one readable line per problem, saying where settings come from."""
    problems = [f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg'].removeprefix('Value error, ')} "
                f"(got {_shown(e['input'])})" for e in err.errors(include_url=False)]
    return SettingsInvalid(f"invalid settings ({source}): " + "; ".join(problems))
