"""`engagement users`: create the first administrator and manage accounts from the command line."""

from __future__ import annotations

import sys

import click

from engagement.audit import command_line_actor
from engagement.auth import ROLES, AccountError, create_user, list_users, set_disabled, set_roles
from engagement.db import session_scope

ROLE = click.Choice(list(ROLES), case_sensitive=False)


@click.group("users")
def users() -> None:
    """Staff and volunteer accounts: add, list, change roles, disable."""


def _run(action, *args, via: str):
    try:
        with session_scope() as session:
            return action(session, *args, actor=command_line_actor(), via=via)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


@users.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=ROLE, help="A role; repeat for several.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (so it never appears in the process list or history).")
def users_add(username: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Add an account. There is no default password: give one on standard input."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else ""
    account = _run(create_user, username, password, roles, via="command: engagement users add")
    click.echo(f"Added {account.username} with roles: {', '.join(sorted(account.roles.split(',')))}")


@users.command("list")
def users_list() -> None:
    """Every account, its roles and whether it is disabled."""
    with session_scope() as session:
        rows = list_users(session)
    if not rows:
        click.echo("No accounts yet. Add the first administrator with: engagement users add NAME --role admin "
                   "--password-stdin")
    for row in rows:
        state = " (disabled)" if row["disabled"] else ""
        click.echo(f"{row['username']}: {row['roles']}{state}")


@users.command("set-role")
@click.argument("username")
@click.argument("roles", nargs=-1, required=True, type=ROLE)
def users_set_role(username: str, roles: tuple[str, ...]) -> None:
    """Replace a user's roles with the ones given."""
    account = _run(set_roles, username, roles, via="command: engagement users set-role")
    click.echo(f"{account.username} now has roles: {account.roles.replace(',', ', ')}")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Stop a user signing in; their open sessions end at their next click."""
    account = _run(set_disabled, username, True, via="command: engagement users disable")
    click.echo(f"Disabled {account.username}.")
