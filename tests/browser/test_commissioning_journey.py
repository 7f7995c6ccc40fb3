"""Reverse commissioning in a real browser, every page checked with axe: import evidence → a workshop and
its feedback → a need → the reviewer agrees it as a priority → "we did" → the public page says it back."""

from __future__ import annotations

import pytest

from grants.db import db
from tests import factories
from tests.browser.conftest import CheckedPage, browser_context
from tests.commissioning.conftest import POPULATION_CSV, THEMES, USAGE_CSV, person

pytestmark = pytest.mark.browser


def move_on(p, label):
    p.page.get_by_label(label, exact=True).check()
    p.submit("Move the cycle on")
    assert "The cycle is now at" in p.text()


def test_from_evidence_to_you_said_we_did(checked_page, live_app, playwright_browser, tmp_path):
    with live_app.app_context():
        collective = factories.collective("west", "West Birmingham Collective", themes=THEMES)
        factories.member(collective, person("Fola Adeyemi", "fola@example.org"), roles=("facilitator", "member"))
        factories.member(collective, person("Rachel Okafor", "rachel@example.org"), roles=("reviewer",))
        factories.organisation(collective, "Winson Green Mosque Health Circle", kind="faith_group",
                               partner_type="mosque")
        db.session.commit()
    files = {name: tmp_path / f"{name}.csv" for name in ("population", "usage", "bad")}
    files["population"].write_text(POPULATION_CSV)
    files["usage"].write_text(USAGE_CSV)
    files["bad"].write_text(USAGE_CSV + "GP registrations,2025-26,Aston,Pakistani,-3\n")
    p = checked_page

    # The facilitator imports the evidence: one mistake first, named by line and column
    p.sign_in("fola@example.org")
    p.click_link("West Birmingham Collective")
    p.click_link("Commissioning")
    p.click_link("Import a CSV file")
    p.page.get_by_label("Service use: service,period,area,ethnic_group,count").check()
    p.page.get_by_label("CSV file").set_input_files(str(files["bad"]))
    p.submit("Import")
    assert "Line 11, column “count”: “-3” is negative" in p.text()
    p.page.get_by_label("CSV file").set_input_files(str(files["usage"]))
    p.submit("Import")
    assert "9 rows imported." in p.text() and "GP registrations" in p.text()
    p.goto("/c/west/commissioning/evidence/import")
    p.page.get_by_label("Population baseline: area,ethnic_group,population").check()
    p.page.get_by_label("CSV file").set_input_files(str(files["population"]))
    p.submit("Import")
    assert "8 rows imported." in p.text()
    p.click_link("Back to the evidence")
    assert "Recent imports" in p.text() and "population.csv" in p.text()
    p.goto("/c/west/commissioning/settings")
    assert p.page.get_by_label("Under-served threshold").input_value() == "0.8"
    p.goto("/c/west/commissioning/evidence/gaps")
    assert "Under-served" in p.text()
    assert p.page.locator("img[alt*='Under-served (whole interval below 0.8): African, Roma']").count() == 1

    # ... starts a cycle on that evidence and records a workshop hosted by the mosque
    p.goto("/c/west/commissioning/cycles/new")
    p.fill("Name of the cycle", "2027 community health")
    p.submit("Start the cycle")
    p.click_link("Choose the evidence")
    p.page.get_by_label("GP registrations, 2025-26").check()
    p.submit("Save the evidence")
    move_on(p, "Start engagement")
    p.click_link("Record an event")
    p.fill("Name of the event", "Health workshop after Jummah")
    p.fill("Day", "9")
    p.fill("Month", "10")
    p.fill("Year", "2026")
    p.fill("Place", "Winson Green Mosque")
    p.page.get_by_label("Workshop", exact=True).check()
    p.page.get_by_label("Winson Green Mosque Health Circle").check()
    p.fill("Number of participants", "46")
    p.page.get_by_text("Participants by community (optional)").click()
    p.fill("Pakistani", "22")
    p.fill("African", "4")
    p.submit("Record the event")
    assert "Add what people said" in p.text()
    p.fill("What was said", "Receptionists ask for a passport before they will register you.")
    p.page.get_by_label("Primary care access").check()
    p.page.get_by_label("African", exact=True).check()
    p.submit("Add the feedback")
    assert "Receptionists ask for a passport" in p.text()

    # ... writes the need in the community's words, linked to the gap and the feedback
    p.click_link("Back to the cycle")
    move_on(p, "Record needs")
    p.click_link("Write a need")
    p.fill("Short title", "Registering with a GP without papers")
    p.fill("The need, in the community's words", "Let us register with a doctor without a passport.")
    p.page.get_by_label("GP registrations, 2025-26: Roma in Ladywood", exact=False).check()
    p.page.get_by_label("Receptionists ask for a passport before they will register you.").check()
    p.submit("Save the need")
    move_on(p, "Draft priorities")
    p.click_link("Registering with a GP without papers")
    need_page = p.page.url

    # The reviewer (signed in on another computer) agrees it as a priority
    context = browser_context(playwright_browser)
    try:
        reviewer = CheckedPage(context.new_page(), live_app.base_url)
        reviewer.sign_in("rachel@example.org")
        reviewer.goto(need_page.removeprefix(live_app.base_url))
        reviewer.page.get_by_label("Agree it as a priority").check()
        reviewer.page.get_by_label("Primary care access").check()
        reviewer.submit("Save the decision")
        assert "Agreed as a priority" in reviewer.text()
    finally:
        context.close()

    # The facilitator records what was done
    p.goto(need_page.removeprefix(live_app.base_url))
    p.click_link("Record what was done")
    p.fill("What was done", "Weekly registration drop-ins at three surgeries, with no ID asked for.")
    p.page.get_by_text("People reached by community (optional)").click()
    p.fill("Roma", "41")
    p.fill("African", "23")
    p.fill("Arab", "5")
    p.submit("Record what was done")
    assert "A reviewer of the partnership checks it before it is published" in p.text()
    assert "Awaiting check" in p.text()
    p.submit("Sign out")
    p.goto("/c/west/you-said-we-did")
    assert "Weekly registration drop-ins at three surgeries" not in p.text()

    # The reviewer checks the typed figures; then it is published
    p.sign_in("rachel@example.org")
    p.goto(need_page.removeprefix(live_app.base_url))
    p.click_link("Check it")
    assert "Roma" in p.text() and "41" in p.text()
    p.submit("It is right: publish it")
    assert "Checked: what was done is now on the public" in p.text()
    p.submit("Sign out")

    # Anyone sees "you said, we did", with small numbers hidden
    p.goto("/c/west/you-said-we-did")
    text = p.text()
    assert "Let us register with a doctor without a passport." in text
    assert "Agreed as a priority, for Primary care access." in text
    assert "Weekly registration drop-ins at three surgeries" in text
    assert "45 people took part" in text
    rows = p.page.locator("table tbody tr").all_inner_texts()
    assert [" ".join(row.split()) for row in rows] == ["African * *", "Roma 40 57%", "Arab * *", "Total 70"]
