"""Voting in a real browser (issue 13): a paper ballot over an online one is confirmed on the page
first, keeping what the facilitator entered, and the member is told; a member's ballot links to
the proposals and refuses an empty ballot beside the proposals, then takes an explicit abstention."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants.db import db
from grants.mail.models import OutboxMessage
from grants.voting.models import Ballot
from tests.browser.conftest import browser_context, CheckedPage
from tests.rounds_helpers import open_round, proposal, to_voting, vote, world

pytestmark = pytest.mark.browser


def test_a_paper_ballot_over_an_online_one_is_confirmed_first(checked_page, live_app, playwright_browser):
    with live_app.test_request_context("/", method="POST"):
        w = world(organisations=3, extra_members=2)
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=300_000),
              proposal(w, 1, title="Baby massage", amount=400_000, theme="Best start in life"),
              proposal(w, 2, title="Diabetes cafe", amount=500_000)]
        to_voting(w, ps)
        vote(w, w["members"][0], {ps[0].id: 1})
        round_id = w["round"].id
    p = checked_page
    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/rounds/{round_id}")
    p.click_link("Enter a paper ballot")
    p.page.get_by_label("Member who voted on paper").select_option(label="Member 0 — has voted online")
    p.page.get_by_role("checkbox", name="I support “Diabetes cafe”").check()
    p.submit("Save the paper ballot")
    text = p.text()
    assert "There is a problem" in text and "Member 0 has already voted online" in text
    assert "will be emailed that you replaced it" in text
    # What the facilitator entered is kept; the member's online choice is not shown.
    assert p.page.get_by_role("checkbox", name="I support “Diabetes cafe”").is_checked()
    assert not p.page.get_by_role("checkbox", name="I support “Walking club”").is_checked()
    p.page.get_by_role("checkbox", name="Yes, replace their online ballot").focus()
    p.page.screenshot(path="/tmp/h3-paper-confirm.png", full_page=True)
    p.page.get_by_role("checkbox", name="Yes, replace their online ballot").check()
    p.submit("Save the paper ballot")
    text = p.text()
    assert "Paper ballot saved for Member 0" in text and "Member 0 has been emailed" in text
    assert "Voted on paper" in text
    p.page.screenshot(path="/tmp/h3-paper-saved.png", full_page=True)
    with live_app.app_context():
        assert db.session.exec(select(Ballot.is_paper).where(Ballot.member_id == w["members"][0].id)).one()
        [message] = db.session.exec(select(OutboxMessage).where(OutboxMessage.subject.contains("replaced"))).all()
        assert message.recipient == w["members"][0].email and "Diabetes cafe" not in message.body

    # A member's ballot: links to each proposal; nothing chosen is refused; an abstention is explicit.
    context = browser_context(playwright_browser)
    member = CheckedPage(context.new_page(), live_app.base_url)
    try:
        member.sign_in(w["members"][1])
        member.goto(f"/c/west/rounds/{round_id}/ballot")
        assert member.page.get_by_role("link", name="Baby massage").get_attribute("target") is None
        member.submit("Save my ballot")
        assert "You have not chosen any proposal" in member.text()
        member.page.screenshot(path="/tmp/h3-ballot-empty.png", full_page=True)
        member.click_link("Baby massage")
        assert "Baby massage" in member.page.inner_text("h1")
        member.page.go_back()
        member.check()
        member.submit("I choose not to support any proposal")
        assert "you chose not to support any proposal" in member.text()
        member.page.screenshot(path="/tmp/h3-ballot-abstained.png", full_page=True)
    finally:
        context.close()
