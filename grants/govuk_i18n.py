"""The GOV.UK Frontend components in the page's language.

``govuk-frontend-jinja`` and ``govuk-frontend-wtf`` write a few words of their own when a page
does not pass them: "Error:" before every error message, "Back", "Menu", "Show" on a password
field, "There is a problem", "Day"/"Month"/"Year", and the texts the components' JavaScript shows
(a password shown or hidden, characters remaining). Here each of those defaults becomes a
translated string, once, so no template has to remember to pass it:

- :class:`TranslatedComponents` loads the component macros with each English default replaced by
  ``_("…")`` (a replacement that no longer matches, after an upgrade, fails loudly at load; a literal "%" is
  written "%%", as Jinja's newstyle gettext formats every string);
- :func:`wtforms_errors` titles the error summary;
- :class:`GovDateInput` labels its three boxes.
"""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from govuk_frontend_wtf.main import wtforms_errors as _wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput as _GovDateInput
from jinja2 import PackageLoader

# Marked here for extraction: the component templates are read from the installed package.
_MESSAGES = (
    _l("Error"), _l("Back"), _l("Success"), _l("Important"), _l("Menu"), _l("Service information"),
    _l("Breadcrumb"), _l("Previous"), _l("Next"), _l("page"), _l("Contents"),
    _l("Show"), _l("Hide"), _l("Show password"), _l("Hide password"), _l("Your password is visible"),
    _l("Your password is hidden"),
    _l("You can enter up to %%{count} characters"), _l("You can enter up to %%{count} words"),
    _l("You have %%{count} character remaining"), _l("You have %%{count} characters remaining"),
    _l("You have 0 characters remaining"),
    _l("You have %%{count} character too many"), _l("You have %%{count} characters too many"),
)

# template → [(the package's text, what it becomes)]; the English defaults are the package's own.
REPLACEMENTS: dict[str, list[tuple[str, str]]] = {
    "components/error-message/macro.html": [('default("Error")', 'default(_("Error"))')],
    "components/back-link/macro.html": [('default("Back", true)', 'default(_("Back"), true)')],
    "components/notification-banner/macro.html": [('set title = "Success"', 'set title = _("Success")'),
                                                  ('set title = "Important"', 'set title = _("Important")')],
    "components/service-navigation/macro.html": [('or "Menu"', 'or _("Menu")'),
                                                 ("or 'Service information'", 'or _("Service information")')],
    "components/breadcrumbs/macro.html": [('default("Breadcrumb")', 'default(_("Breadcrumb"))')],
    "components/pagination/macro.html": [
        ('Previous<span class="govuk-visually-hidden"> page</span>',
         '{{ _("Previous") }}<span class="govuk-visually-hidden"> {{ _("page") }}</span>'),
        ('Next<span class="govuk-visually-hidden"> page</span>',
         '{{ _("Next") }}<span class="govuk-visually-hidden"> {{ _("page") }}</span>')],
    "components/tabs/macro.html": [('default ("Contents")', 'default(_("Contents"))')],
    "components/password-input/macro.html": [
        ("'message': params.showPasswordText\n", "'message': params.showPasswordText or _(\"Show\")\n"),
        ("'message': params.hidePasswordText\n", "'message': params.hidePasswordText or _(\"Hide\")\n"),
        ("'message': params.showPasswordAriaLabelText\n",
         "'message': params.showPasswordAriaLabelText or _(\"Show password\")\n"),
        ("'message': params.hidePasswordAriaLabelText\n",
         "'message': params.hidePasswordAriaLabelText or _(\"Hide password\")\n"),
        ("'message': params.passwordShownAnnouncementText\n",
         "'message': params.passwordShownAnnouncementText or _(\"Your password is visible\")\n"),
        ("'message': params.passwordHiddenAnnouncementText\n",
         "'message': params.passwordHiddenAnnouncementText or _(\"Your password is hidden\")\n"),
        ('default("Show")', 'default(_("Show"))'),
        ('default("Show password")', 'default(_("Show password"))')],
    "components/character-count/macro.html": [
        ("params.textareaDescriptionText or 'You can enter up to %{count} ' ~ ('words' if params.maxwords else 'characters')",
         "params.textareaDescriptionText or (_('You can enter up to %%{count} words') if params.maxwords"
         " else _('You can enter up to %%{count} characters'))"),
        ("'messages': params.charactersUnderLimitText\n",
         "'messages': params.charactersUnderLimitText or {'one': _('You have %%{count} character remaining'),"
         " 'other': _('You have %%{count} characters remaining')}\n"),
        ("'message': params.charactersAtLimitText\n",
         "'message': params.charactersAtLimitText or _('You have 0 characters remaining')\n"),
        ("'messages': params.charactersOverLimitText\n",
         "'messages': params.charactersOverLimitText or {'one': _('You have %%{count} character too many'),"
         " 'other': _('You have %%{count} characters too many')}\n")],
}


class TranslatedComponents(PackageLoader):
    """``govuk_frontend_jinja``'s templates, with their English defaults translated."""

    def __init__(self):
        super().__init__("govuk_frontend_jinja")

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        for old, new in REPLACEMENTS.get(template, ()):
            if old not in source:
                raise RuntimeError(f"govuk_frontend_jinja's {template} no longer contains {old!r}: "
                                   "update grants/govuk_i18n.REPLACEMENTS for the new version")
            source = source.replace(old, new)
        return source, filename, uptodate


def wtforms_errors(form, params=None):
    """The error summary of a form, titled in the page's language."""
    return _wtforms_errors(form, {"titleText": _("There is a problem"), **(params or {})})


class GovDateInput(_GovDateInput):
    """A date as three boxes labelled in the page's language."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item, label in zip(params["items"], (_("Day"), _("Month"), _("Year"))):
            item["label"] = label
        return params
