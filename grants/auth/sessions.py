"""Starting a signed-in session: the one place a sign-in is completed."""

from __future__ import annotations

from flask_login import login_user


def start_session(person, remember: bool = False) -> None:
    """Sign ``person`` in on this browser (after every check they had to pass has passed)."""
    login_user(person, remember=remember)
