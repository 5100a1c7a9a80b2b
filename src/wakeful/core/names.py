"""People's names as the desk stores them: a case's assignee, an agent, a user who signs in."""

from __future__ import annotations

import re

MAX_NAME = 128
"""What the agents and users tables (and a case's assignee) hold."""
MAX_NAME_KEY = 3 * MAX_NAME
"""A name's `name_key`: casefolding lengthens some letters, at most threefold."""

SYSTEM_ACTORS = ("desk", "risk", "router", "sla", "wakeful")
"""Who the desk's own actions are recorded as on a case (resolving a quiet case, a risk alert, routing, an SLA
escalation, setting a click farm aside). Nobody can sign in or be an agent under one of these names, so a person's
action never reads as the desk's in a timeline, and the reports that count the desk's resolutions count only them."""


def person_name(name: str, what: str) -> str:
    """A person's name as a key: ' ana' is 'ana'; a blank name, or one with control characters, names nobody.
    `what` names the field in the error ("a username")."""
    name = name.strip()
    if not name:
        raise ValueError(f"{what} must not be blank")
    if len(name) > MAX_NAME or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError(f"{what} {name[:40]!r} must be at most {MAX_NAME} printable characters")
    return name


def actor_name(name: str, what: str) -> str:
    """`person_name` for someone whose actions are recorded on cases (a user, an agent): one of `SYSTEM_ACTORS`, in
    any case, is refused."""
    name = person_name(name, what)
    if is_system_actor(name):
        raise ValueError(f"{what} {name!r} is what the desk's own actions are recorded as; choose another "
                         f"(reserved: {', '.join(SYSTEM_ACTORS)})")
    return name


def name_key(name: str) -> str:
    """A name as it is compared: spaces around it and case do not count, in any alphabet ('ÖZLEM' is 'özlem').
    Folded here rather than with SQL's lower(), which may fold ASCII letters only; stored beside a user's name so a
    lookup ignoring case is one indexed query."""
    return name.strip().casefold()


def is_system_actor(name: str) -> bool:
    """Whether a person of this name would be taken for the desk in a case's timeline (`SYSTEM_ACTORS`)."""
    return name_key(name) in SYSTEM_ACTORS


def same_name(a: str, b: str) -> bool:
    """Whether two names are one person's (`name_key`)."""
    return name_key(a) == name_key(b)


def natural_key(name: str) -> list[tuple[int, str]]:
    """A name's sort key with its numbers compared as numbers: agent-2 before agent-10."""
    return [(int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", name)]
