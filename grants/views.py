"""What every route does with an operation (run it, commit, and show a refusal where it belongs)
and with a file to download."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask import Response, flash, send_file
from flask_login import current_user

from grants.db import db
from grants.errors import Refused, attach, message_of
from grants.forms import once_token
from grants.submissions import ALREADY_SENT, record_once, sent_before
from workflows import TransitionError

# Refusals a person can cause by their own input or timing: shown to them, never a 500.
REFUSALS = (Refused, TransitionError)


@dataclass(frozen=True)
class Done:
    result: Any


def attempt(form, operation, /, *args, **kwargs) -> Done | None:
    """Run one operation and commit (so its emails go out), once per form sent (``grants.submissions``).

    On a refusal, roll back everything it did and show the message beside its field on ``form``
    (or flash it, when there is no form); return None. Otherwise return ``Done(result)``.
    """
    token = once_token(form) if form is not None else None
    try:
        if token and sent_before(token):
            raise Refused(ALREADY_SENT)
        result = operation(*args, **kwargs)
        if token:
            record_once(token, current_user)
        db.session.commit()
    except REFUSALS as error:
        db.session.rollback()
        if form is None:
            flash(message_of(error), "info")
        else:
            attach(form, error)
        return None
    return Done(result)


def download(content: bytes | str, filename: str, mimetype: str) -> Response:
    """A file the browser saves: every PDF, CSV, JSON and .pb download goes through here.

    Names carry people's words (an organisation named in Bengali or Urdu); a header is Latin-1, so
    werkzeug writes ``filename`` as its ASCII transliteration and ``filename*`` as UTF-8 (RFC 6266),
    which every current browser prefers.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename,
                         conditional=False, etag=False)
    response.cache_control.private = True
    return response


def filename_words(text: str, fallback: str, limit: int = 60) -> str:
    """A name's words for a file name, in its own script, joined by hyphens ("ঢাকা-মহিলা-সমিতি").

    Letters, digits and the combining marks that many scripts (Bengali, Urdu, Hindi) write vowels
    with are kept; everything else (slashes, dots, quotes, spaces) separates words.
    """
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text.lower())
    return "-".join(kept.split())[:limit].strip("-") or fallback
