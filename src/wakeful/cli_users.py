"""`wakeful user …`: the people who sign in to the dashboard. Add them, change a password, and lock out someone who
has left (`disable`): their sign-in, open sessions and API tokens in their name stop working at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from wakeful.api.auth import Role, create_user, disable_user, enable_user, set_password
from wakeful.api.settings import load_at_start
from wakeful.cli_common import check_brand, open_db
from wakeful.core.settings import get_settings
from wakeful.store.agents import AgentRow
from wakeful.store.db import Database, migrate

console = Console()
user_app = typer.Typer(help="Dashboard users: add, disable and enable them, change a password.",
                       no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="The username (case and spaces around it do not matter)")]
NewPassword = Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="WAKEFUL_NEW_PASSWORD", help="Asked for (twice, hidden) when not "
                                          "given; at least 10 characters besides spaces at either end")]


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The username to sign in with")],
    brand: Annotated[str, typer.Option(help="The brand key they work on; '*' (admins only) for all")],
    role: Annotated[Role, typer.Option(help="agent, lead or admin")] = Role.AGENT,
    password: NewPassword = "",
) -> None:
    """Add a dashboard user; the password is stored only as a scrypt hash. Names are unique ignoring case."""
    settings = get_settings()
    migrate(settings.database_url)  # the first user may come before anything else: create the desk
    db = Database(settings.database_url)
    check_brand(brand, load_at_start(settings, db).brands, all_ok=True)
    try:
        with db.session() as session:
            name = create_user(session, name, password, brand, role, datetime.now(UTC))
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None
    console.print(f"user {name} can sign in ({role.value}, brand {brand})")


@user_app.command("passwd")
def passwd(name: Name, password: NewPassword = "") -> None:
    """Change a user's password (same rules as `user add`); their open sessions end."""
    db = open_db()
    try:
        with db.session() as session:
            ended = set_password(session, name, password, datetime.now(UTC))
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None
    console.print(f"password of {name.strip()} changed; {ended} session(s) signed out")


@user_app.command("disable")
def disable(name: Name) -> None:
    """Lock a user out (someone who has left): no sign-in, open sessions ended, API tokens in their name revoked."""
    db = open_db()
    try:
        with db.session() as session:
            done = disable_user(session, name, datetime.now(UTC))
            brands = list(session.scalars(select(AgentRow.brand).where(AgentRow.name == done.username)))
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None
    console.print(f"user {done.username} {'was already' if done.already else 'is now'} disabled; "
                  f"{done.sessions} session(s) ended, {done.tokens} token(s) revoked")
    for brand in brands:  # their cases stay theirs until someone hands them on
        console.print(f"  {done.username} is also an agent of {brand}: `wakeful agents away {done.username} "
                      f"--brand {brand}` re-routes their cases")


@user_app.command("enable")
def enable(name: Name) -> None:
    """Let a disabled user sign in again; tokens revoked when they were disabled stay revoked."""
    db = open_db()
    try:
        with db.session() as session:
            username, was = enable_user(session, name)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None
    console.print(f"user {username} {'can sign in again' if was else 'was not disabled'}")


def register(app: typer.Typer) -> None:
    """Add `wakeful user …` to the `wakeful` app."""
    app.add_typer(user_app, name="user")
