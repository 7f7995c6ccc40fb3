"""Downloading a document: the built PDF when it is current, else a page saying it is being prepared.

Every document is built by the worker (:mod:`grants.documents.builds`); a download never renders
one. :func:`serve_document` serves the finished build of the document's current data from the database,
or queues a build (one, however many people ask at once, and none again soon after one failed)
and answers with a page that says so: 202 "being prepared, try again in a minute", or 503 when
the last build of this data failed a moment ago. Both carry ``Retry-After``. The caller has
already checked that the person may see the document.

A download is in the language asked for, else the document's own (an award letter: its
grantee's), else the page's (:func:`grants.i18n.current_language`): each language is a build of
its own.
"""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _

from grants import i18n
from grants.documents import builds
from grants.documents.registry import DocumentKind

RETRY_AFTER_SECONDS = 60


def document_language(document: DocumentKind, object_id: int, language: str | None = None) -> str:
    """The language to build ``document`` in: ``language`` when given, else the kind's own
    choice for the object, else the page's."""
    if language:
        return builds.language_code(language)
    if document.language is not None:
        return builds.language_code(document.language(object_id))
    return builds.language_code(i18n.current_language())


def serve_document(document: DocumentKind, object_id: int, collective, variant: str = "", *,
                   language: str | None = None, back_url: str | None = None,
                   back_text: str | None = None) -> Response:
    language = document_language(document, object_id, language)
    values = builds.document_values(document, object_id, variant, language)
    found = builds.prepare(document, object_id, collective.id, values, variant, language)
    if found.ready is not None:
        return builds.pdf_response(found.ready.content, document.filename(values))
    failed = not found.under_way
    page = render_template("documents/preparing.html", document=document, collective=collective,
                           failed=failed, retry_url=request.full_path.rstrip("?"), back_url=back_url,
                           back_text=back_text or _("Back"))
    response = Response(page, status=503 if failed else 202)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response
