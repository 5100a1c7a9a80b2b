"""People's names as the desk stores them: a case's assignee, an agent, a user who signs in."""

from __future__ import annotations

import re

MAX_NAME = 128
"""What the agents and users tables (and a case's assignee) hold."""


def person_name(name: str, what: str) -> str:
    """A person's name as a key: ' ana' is 'ana'; a blank name, or one with control characters, names nobody.
    `what` names the field in the error ("a username")."""
    name = name.strip()
    if not name:
        raise ValueError(f"{what} must not be blank")
    if len(name) > MAX_NAME or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError(f"{what} {name[:40]!r} must be at most {MAX_NAME} printable characters")
    return name


def natural_key(name: str) -> list[tuple[int, str]]:
    """A name's sort key with its numbers compared as numbers: agent-2 before agent-10."""
    return [(int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", name)]
