"""The proposal form (issue 13): Enter saves and never submits, submitting goes through check your
answers, every problem shows in one pass, the error summary lists each problem once, and a budget
line's message sits above both its boxes."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from grants.db import db
from grants.proposals.models import Proposal
from tests import factories
from tests.rounds_helpers import open_round, world


@pytest.fixture()
def drafting(app, client):
    """An applicant signed in, with a new draft in an open round: (edit url, the draft's id)."""
    with app.app_context():
        w = world()
        open_round(w)
        applicant, theme = w["applicants"][0], w["themes"]["Building trust"]
        round_id, theme_id = w["round"].id, theme.id
    factories.login(client, applicant)
    edit_url = client.post(f"/c/west/rounds/{round_id}/proposals/new").headers["Location"]
    return edit_url, theme_id


def answers(theme_id: int, **changes) -> dict:
    data = {"title": "Walking club", "summary": "Weekly walks for new mums.", "amount_requested": "1,200",
            "theme_id": str(theme_id), "communities_served": ["asian_pakistani"], "people_reached": "40",
            "budget_lines-0-description": "Walk leader", "budget_lines-0-amount": "700",
            "budget_lines-1-description": "Refreshments", "budget_lines-1-amount": "500"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def stored(app) -> Proposal:
    with app.app_context():
        return db.session.exec(select(Proposal)).one()


def summary_items(page: str) -> list[str]:
    found = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S)
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", found.group(1), re.S)] \
        if found else []


def test_the_first_button_of_the_form_saves_so_enter_in_the_title_never_submits(app, client, drafting):
    edit_url, theme_id = drafting
    page = client.get(edit_url).data.decode()
    form = page[page.index('<form method="post" novalidate'):]
    first_button = re.search(r'<(?:button|input)[^>]*type="submit"[^>]*>', form).group(0)
    assert 'name="save"' in first_button
    # Enter in a text box sends the first button's name: a complete, correct proposal is only saved
    response = client.post(edit_url, data={**answers(theme_id), "save": "Save draft"})
    assert response.status_code == 302 and "/check" not in response.headers["Location"]
    assert stored(app).state == "draft"
    assert stored(app).title == "Walking club"
    assert "Save and submit" not in page


def test_check_your_answers_shows_every_answer_with_a_change_link_then_submits(app, client, drafting, mail_server):
    edit_url, theme_id = drafting
    response = client.post(edit_url, data={**answers(theme_id), "check_answers": "y"})
    check_url = response.headers["Location"]
    assert check_url.endswith("/check")
    assert stored(app).state == "draft"  # saved, not submitted
    page = client.get(check_url).data.decode()
    assert "Check your answers before submitting your proposal" in page
    for answer in ("Walking club", "Weekly walks for new mums.", "£1,200", "Building trust", "Pakistani",
                   "Walk leader: £700; Refreshments: £500"):
        assert answer in page
    for anchor in ("title", "summary", "amount_requested", "theme_id", "communities_served", "outcome_ids",
                   "people_reached", "budget_lines"):
        assert f'href="{edit_url}#{anchor}"' in page
    assert "Submit proposal" in page
    response = client.post(edit_url.replace("/edit", "/submit"))
    assert response.status_code == 302
    assert stored(app).state == "submitted"
    assert "We have your proposal" in mail_server.wait_for(1)[-1]["Subject"]
    # once submitted there is nothing to change or submit
    page = client.get(check_url).data.decode()
    assert "no longer a draft" in page and "Submit proposal" not in page and f"{edit_url}#title" not in page


def test_check_your_answers_of_an_unfinished_draft_says_what_is_missing_and_offers_no_submit(app, client, drafting):
    edit_url, _theme_id = drafting
    client.post(edit_url, data={"title": "Half done", "save": "y"})
    page = client.get(edit_url.replace("/edit", "/check")).data.decode()
    assert "Enter a summary of the project" in page and "Choose a theme" in page
    assert f'href="{edit_url}#summary"' in page
    assert "Submit proposal" not in page


def test_every_problem_shows_at_once(app, client, drafting):
    """A wrong number, an amount outside the round's range and a budget that does not add up: one
    page with all three (today: the number first, then the range, then the total)."""
    edit_url, theme_id = drafting
    data = answers(theme_id, title=None, people_reached="about forty", amount_requested="9,000",
                   **{"budget_lines-1-amount": "400"})
    page = client.post(edit_url, data={**data, "check_answers": "y"}).data.decode()
    items = summary_items(page)
    assert "Enter the number of people as a whole number, like 12" in items
    assert "Ask for between £500 and £5,000" in items
    assert "The budget lines add up to £1,100, but you asked for £9,000" in items
    assert "Enter a project title" in items
    assert 'value="about forty"' in page and "Weekly walks for new mums." in page  # nothing typed is lost
    assert stored(app).title == ""  # nothing saved while there are problems


def test_saving_a_draft_with_a_bad_number_and_a_bad_range_shows_both(app, client, drafting):
    edit_url, theme_id = drafting
    page = client.post(edit_url, data={**answers(theme_id, people_reached="x", amount_requested="1"),
                                       "save": "y"}).data.decode()
    items = summary_items(page)
    assert "Enter the number of people as a whole number, like 12" in items
    assert "Ask for between £500 and £5,000" in items
    # a draft need not add up yet
    assert not any("add up to" in item for item in items)


def test_the_error_summary_lists_each_problem_once(app, client, drafting):
    edit_url, theme_id = drafting
    client.post(edit_url, data={**answers(theme_id), "check_answers": "y"})
    client.post(edit_url.replace("/edit", "/submit"))
    # a refusal that belongs to no field (the proposal is no longer a draft)
    page = client.post(edit_url, data={**answers(theme_id), "save": "y"}).data.decode()
    items = summary_items(page)
    assert len(items) == len(set(items)) >= 1
    # and field errors: each once
    client.post(edit_url.replace("/edit", "/reopen"))
    page = client.post(edit_url, data={**answers(theme_id, people_reached="x",
                                                 **{"budget_lines-2-amount": "5"}), "save": "y"}).data.decode()
    items = summary_items(page)
    assert items.count("Say what this amount pays for") == 1
    assert len(items) == len(set(items)) == 2


def test_a_budget_line_message_sits_above_both_boxes_of_its_line(app, client, drafting):
    edit_url, theme_id = drafting
    page = client.post(edit_url, data={**answers(theme_id, **{"budget_lines-0-amount": "lots"}),
                                       "save": "y"}).data.decode()
    start = page.index('id="budget_lines-0-error"')
    group = page[page.rindex('<div class="govuk-form-group', 0, start):]
    group = group[:group.index('id="budget_lines-1-description"')]
    assert "govuk-form-group--error" in group.split(">")[0]
    assert 'id="budget_lines-0-description"' in group and 'id="budget_lines-0-amount"' in group
    assert group.index("budget_lines-0-error") < group.index('id="budget_lines-0-description"')
    assert page.count("Enter an amount in pounds, like 1500 or 1500.50") == 2  # beside the line, and the summary
    assert "Enter the amount for this line" not in page  # one message for one mistake
    assert 'href="#budget_lines-0-amount"' in page


def test_no_form_in_the_app_uses_a_wtforms_number_field_with_its_default_message():
    """"Not a valid integer value." says nothing of what to type: whole numbers and money go
    through WholeNumberField and MoneyField, whose messages give an example."""
    import importlib
    import pkgutil

    import wtforms

    import grants

    banned = (wtforms.IntegerField, wtforms.DecimalField, wtforms.FloatField, wtforms.IntegerRangeField,
              wtforms.DecimalRangeField)
    offenders = []
    for module in pkgutil.walk_packages(grants.__path__, "grants."):
        if not module.name.endswith("forms"):
            continue
        for name, value in vars(importlib.import_module(module.name)).items():
            if isinstance(value, type) and issubclass(value, wtforms.Form):
                for field_name, unbound in vars(value).items():
                    if getattr(unbound, "field_class", None) and issubclass(unbound.field_class, banned):
                        offenders.append(f"{module.name}.{name}.{field_name}")
    assert not offenders
