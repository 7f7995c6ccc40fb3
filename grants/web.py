"""Wiring: extensions, templates, blueprints, error pages and commands, each with ``init_app``."""

from __future__ import annotations

import secrets
from collections import ChainMap
from pathlib import Path

import math
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import Flask, render_template, request, send_from_directory
from flask.globals import request_ctx
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError, CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from markupsafe import Markup
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, Template
from werkzeug.exceptions import SecurityError

from flask_babel import gettext as _, ngettext
from workflows.i18n import N_

from grants.db import db
from grants.money import format_pence
from grants.timeutil import format_date, format_datetime

login_manager = LoginManager()
csrf = CSRFProtect()
# Rate limits (the decorators in grants.ratelimits): in memory by default, in Redis when
# REDIS_URL is set, so every host shares one count.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
ASSETS = Path(__file__).parent / "static" / "build"


def init_app(app: Flask) -> None:
    from grants import ids

    ids.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    WTFormsHelpers(app)
    from grants import govuk_i18n, i18n

    i18n.init_app(app)
    app.add_template_global(govuk_i18n.wtforms_errors)  # replaces the package's, titled in the page's language
    _init_login(app)
    _init_templates(app)
    _init_assets(app)
    _init_errors(app)
    _init_security_headers(app)

    from grants.admin.routes import bp as admin_bp
    from grants.auth.routes import bp as auth_bp
    from grants.auth.twofactor_routes import bp as twofactor_bp
    from grants.collectives.routes import bp as collectives_bp
    from grants.commissioning.routes import bp as commissioning_bp
    from grants.documents.routes import bp as documents_bp
    from grants.mail.routes import bp as mail_bp
    from grants.organisations.routes import bp as organisations_bp
    from grants.awards.routes import bp as awards_bp
    from grants.privacy.routes import bp as privacy_bp
    from grants.proposals.routes import bp as proposals_bp
    from grants.reporting.routes import bp as reporting_bp
    from grants.review.routes import bp as review_bp
    from grants.rounds.routes import bp as rounds_bp
    from grants.voting.routes import bp as voting_bp
    from grants.variations.routes import bp as variations_bp
    from grants.workflow.routes import bp as workflow_bp

    for blueprint in (auth_bp, collectives_bp, organisations_bp, admin_bp, workflow_bp, rounds_bp, proposals_bp,
                      voting_bp, review_bp, awards_bp, reporting_bp, commissioning_bp, documents_bp, privacy_bp,
                      mail_bp, twofactor_bp, variations_bp):
        app.register_blueprint(blueprint)

    from grants import health, queue
    from grants.cli import init_app as init_cli

    health.init_app(app)
    queue.init_app(app)
    init_cli(app)


def _init_login(app: Flask) -> None:
    from grants.auth import sessions

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Sign in to see this page.")
    login_manager.localize_callback = _
    login_manager.login_message_category = "info"
    login_manager.user_loader(sessions.load)
    # Every request: a session past its idle time or lifetime, or of an older session version, ends.
    app.before_request(sessions.enforce)


def _init_templates(app: Flask) -> None:
    from grants import govuk_i18n

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(app.template_folder),
        PrefixLoader({
            "govuk_frontend_jinja": govuk_i18n.TranslatedComponents(),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    # The GOV.UK macros read optional nested params (params.x.y) freely.
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.template_class = ImportingTemplate
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["money"] = format_pence
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["typed"] = typed_text

    from grants import permissions, reference

    app.jinja_env.filters["community_labels"] = lambda codes: ", ".join(
        reference.ETHNIC_CATEGORY_BY_CODE[c].label for c in codes or [] if c in reference.ETHNIC_CATEGORY_BY_CODE)
    app.jinja_env.filters["extract_from"] = lambda key, mapping: mapping.get(key, "")
    app.jinja_env.filters["language_labels"] = lambda codes: ", ".join(
        str(reference.LANGUAGES.get(c, c)) for c in codes or [])

    # Globals (not a context processor) so that imported macros see them too.
    from grants.allocation import RULES

    from grants.rounds.presenters import pots_text, voting_method_text

    app.jinja_env.globals.update(perm=permissions, ref=reference, link=html_link, allocation_rules=RULES,
                                 pots_text=pots_text, voting_method_text=voting_method_text)


class ImportingTemplate(Template):
    """Jinja's template, with the check that every ``{% from … import … %}`` makes done in C.

    Each GOV.UK component macro imports its helpers each time it is called (a page with a form
    imports templates about 140 times). Before handing back the imported template's module, Jinja 3.1
    asks whether the importing context has globals the imported template lacks, as a set minus the
    keys of a ``ChainMap``: a Python call per global (33 here) on every import, which was half the
    time of rendering the new-round form (37 ms → 19 ms). The question and the answer are Jinja's
    own: when the context has such globals, Jinja's method gets the context and makes a module
    that sees them, as before.
    """

    def _get_default_module(self, ctx=None):
        if ctx is not None and isinstance(self.globals, ChainMap) \
                and not ctx.globals_keys.difference(*self.globals.maps):
            ctx = None  # no global of the context is missing here: Jinja uses its cached module
        return super()._get_default_module(ctx)


def typed_text(value) -> Markup:
    """Text a person typed (a title, a name), isolated so it reads in its own direction: an English
    title inside an Urdu page, or an Urdu name inside an English one (``dir="auto"``)."""
    if value is None or value == "":
        return Markup("")
    return Markup('<span dir="auto">{}</span>').format(value)


def html_link(href: str, text: str, hidden_suffix: str = "") -> Markup:
    """A GOV.UK link as safe HTML, for table cells and other ``html`` params of the macros."""
    suffix = Markup('<span class="govuk-visually-hidden"> {}</span>').format(hidden_suffix) if hidden_suffix else ""
    return Markup('<a class="govuk-link" href="{}">{}{}</a>').format(href, text, suffix)


def _init_assets(app: Flask) -> None:
    @app.route("/assets/<path:filename>")
    def govuk_assets(filename: str):
        return send_from_directory(ASSETS / "assets", filename, max_age=86400)

    @app.route("/build/<path:filename>")
    def built_assets(filename: str):
        return send_from_directory(ASSETS, filename, max_age=3600)


def _init_errors(app: Flask) -> None:
    def page(status: int, title: str, message: str):
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # The request's Host is not one of TRUSTED_HOSTS, so Flask built no URL adapter for it:
        # the page's own links point at the configured address instead.
        base = urlsplit(app.config["COMMONPOT_BASE_URL"])
        request_ctx.url_adapter = app.url_map.bind(base.netloc, script_name=base.path or "/",
                                                   url_scheme=base.scheme or "https")
        return page(400, _("Sorry, this address is not one this site answers to"),
                    _("Check the web address you typed, or go to the start page."))

    @app.errorhandler(429)
    def too_many_requests(error):
        # The latest moment when every breached window has room again (Flask-Limiter checks them all).
        breached = [lim.reset_at for lim in limiter.current_limits if lim.breached]
        reset_at = max(breached) if breached else time.time() + 60
        seconds = max(1, math.ceil(reset_at - time.time()))
        retry_at = datetime.fromtimestamp(time.time() + seconds, timezone.utc)
        return (render_template("errors/too_many_requests.html", wait=_wait_text(seconds), retry_at=retry_at),
                429, {"Retry-After": str(seconds)})

    @app.errorhandler(400)
    def bad_request(_error):
        return page(400, _("Sorry, there is a problem with that request"),
                    _("Check what you entered and try again."))

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return page(400, _("Your form expired"),
                    _("For your security, forms expire. Go back, reload the page and try again."))

    @app.errorhandler(403)
    def forbidden(_error):
        return page(403, _("You do not have access to this page"),
                    _("If you think you should, ask your collective's facilitator."))

    @app.errorhandler(404)
    def not_found(_error):
        return page(404, _("Page not found"),
                    _("If you typed the web address, check it is correct. If you pasted it, check you copied the entire address."))

    @app.errorhandler(405)
    def not_allowed(_error):
        return page(405, _("Sorry, that action is not available here"),
                    _("Go back and use the buttons on the page."))

    @app.errorhandler(413)
    def too_large(_error):
        limit_mb = (request.max_content_length or app.config["MAX_CONTENT_LENGTH"]) / (1024 * 1024)
        return page(413, _("The file or form is too large"),
                    _("What you sent is larger than %(limit)s MB, so none of it was saved. Go back in your "
                      "browser: the page usually still has what you typed. Then choose a smaller file, or shorten "
                      "the text, and send it again.", limit=f"{limit_mb:g}"))

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return page(500, _("Sorry, there is a problem with the service"),
                    _("Try again later. What you saved before this page is safe."))


def _wait_text(seconds: int) -> str:
    """'about 4 minutes', for a person waiting (rounded up: never promise too early)."""
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = math.ceil(minutes / 60)
    return ngettext("%(num)d hour", "%(num)d hours", hours)


# The Content-Security-Policy (ASVS V14.4): scripts and styles only from this site or with the
# request's nonce, never inline otherwise; charts and report photos are data: images; nothing
# may frame a page (clickjacking), and forms post only here.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Browser features no page of Commonpot uses.
PERMISSIONS_POLICY = {feature: "()" for feature in (
    "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "usb")}
CSP_NONCE_BYTES = 24


def _init_security_headers(app: Flask) -> None:
    """Flask-Talisman writes every security header; TLS ends at the proxy in front of the app, so
    Talisman sends HSTS only when the request came over HTTPS and never redirects by itself."""
    # One Talisman per app: it keeps the app it was given, and tests build several apps.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src", "style-src"],
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        strict_transport_security=True,
        strict_transport_security_max_age=365 * 24 * 3600,
        strict_transport_security_include_subdomains=False,
        # The cookie settings are the app's own (grants.config); Talisman must not change them.
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=bool(app.config.get("SESSION_COOKIE_HTTPONLY", True)),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )

    def csp_nonce() -> str:
        # A page rendered after an earlier before_request refused the request (a 429, a 400) has
        # no nonce from Talisman yet: make it now, and Talisman's after_request puts it in the header.
        if not getattr(request, "csp_nonce", None):
            request.csp_nonce = secrets.token_urlsafe(CSP_NONCE_BYTES)
        return request.csp_nonce

    app.jinja_env.globals["csp_nonce"] = csp_nonce
