"""The demo collective's commissioning cycle: "2027 community health" in four West Birmingham wards.

Every figure here is sample data, made up for the demonstration: the imports are marked
``sample`` and every page and PDF that shows them says "Sample data". The population figures are Census-2021-like (ward totals and ethnic mixes of the kind Ladywood,
Soho & Jewellery Quarter, Handsworth and North Edgbaston have), not the published counts. The
service use is generated from them with rates that leave some groups under-served, as local
data often shows: new GP registrations for Roma, Gypsy or Irish Traveller, African and Arab
residents; diabetes structured education for Bangladeshi, Pakistani and Caribbean residents.
The GP data uses ONS 2021 categories, the diabetes data NHS letter codes (so it is compared
with the population folded to NHS categories). Everything goes through the same operations and
workflow as people use, so the demo has its audit trail and history.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlmodel import select

from grants.auth.models import Person
from grants.collectives.models import Collective, Membership, Theme
from grants.commissioning import ethnicity, operations
from grants.db import db
from grants.organisations.models import Organisation
from grants.workflow.operations import fire

CYCLE_NAME = "2027 community health"
PERIOD = "2025-26"
GP = "New GP registrations"
DIABETES = "Diabetes structured education"

# Ward → (residents, weights by ONS category in reference order: Bangladeshi, Chinese, Indian,
# Pakistani, Other Asian, African, Caribbean, Other Black, White and Asian, White and Black
# African, White and Black Caribbean, Other Mixed, British, Irish, Gypsy or Irish Traveller,
# Roma, Other White, Arab, Any other).
WARDS: dict[str, tuple[int, tuple[float, ...]]] = {
    "Ladywood": (38_400, (2.5, 4.0, 5.5, 5.0, 3.0, 9.0, 4.5, 2.0, 1.2, 0.8, 2.0, 1.5, 38.0, 1.2, 0.3, 0.6, 9.5, 3.4, 6.0)),
    "Soho & Jewellery Quarter": (31_200, (6.0, 1.5, 10.0, 22.0, 3.0, 6.0, 8.0, 2.5, 1.0, 0.7, 3.0, 1.5, 18.0, 1.0, 0.2,
                                         1.5, 6.0, 2.5, 4.6)),
    "Handsworth": (27_300, (9.0, 0.5, 17.0, 24.0, 4.0, 5.0, 11.0, 3.0, 0.8, 0.6, 2.5, 1.2, 8.0, 0.6, 0.1, 2.5, 4.0,
                            2.0, 4.2)),
    "North Edgbaston": (29_100, (4.0, 1.0, 8.0, 21.0, 3.5, 8.0, 7.0, 2.5, 1.0, 0.8, 2.8, 1.4, 20.0, 1.0, 0.3, 2.0, 6.5,
                                 3.5, 6.7)),
}
GP_RATE = 0.055
GP_FACTORS = {"white_roma": 0.25, "white_gypsy_traveller": 0.35, "black_african": 0.6, "other_arab": 0.55,
              "white_other": 1.2, "white_british": 0.9}
DIABETES_RATE = 0.02
DIABETES_FACTORS = {"asian_bangladeshi": 0.3, "asian_pakistani": 0.45, "black_caribbean": 0.5,
                    "black_african": 0.75, "asian_indian": 0.8, "white_british": 1.1}
NHS_LETTER = {code: letter for letter, code in ethnicity.NHS_CODES.items()}


def population() -> dict[str, dict[str, int]]:
    result = {}
    for ward, (residents, weights) in WARDS.items():
        total = sum(weights)
        result[ward] = {code: round(residents * weight / total)
                        for code, weight in zip(ethnicity.STATED_CODES, weights, strict=True)}
    return result


def population_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["area", "ethnic_group", "population"])
    for ward, people in population().items():
        for code, count in people.items():
            writer.writerow([ward, ethnicity.label(code), count])
    return out.getvalue().encode("utf-8")


def usage_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["service", "period", "area", "ethnic_group", "count"])
    for ward, people in population().items():
        gp = {code: round(n * GP_RATE * GP_FACTORS.get(code, 1.0)) for code, n in people.items()}
        for code, count in gp.items():
            writer.writerow([GP, PERIOD, ward, ethnicity.label(code), count])
        writer.writerow([GP, PERIOD, ward, "Not stated", round(sum(gp.values()) * 0.05)])
        folded: dict[str, int] = {}
        for code, n in people.items():
            folded[ethnicity.fold_for(ethnicity.NHS, code)] = folded.get(ethnicity.fold_for(ethnicity.NHS, code), 0) + n
        diabetes = {code: round(n * DIABETES_RATE * DIABETES_FACTORS.get(code, 1.0)) for code, n in folded.items()}
        for code, count in diabetes.items():
            writer.writerow([DIABETES, PERIOD, ward, NHS_LETTER[code], count])
        writer.writerow([DIABETES, PERIOD, ward, "Z", round(sum(diabetes.values()) * 0.03)])
    return out.getvalue().encode("utf-8")


EVENTS = [
    dict(title="Health and wellbeing workshop after Jummah", held_on=date(2026, 10, 9),
         place="Winson Green Mosque, Heath Street", kind="workshop", participants=46,
         host="Winson Green Mosque Health Circle",
         by_community={"asian_pakistani": 22, "asian_bangladeshi": 11, "other_arab": 6, "black_african": 4},
         notes="Men's and women's groups met separately; Urdu, Bengali and Arabic interpreters.",
         feedback=[
             ("The diabetes course is only in English, and at times when men are at work or at the mosque.",
              ["Diabetes, obesity and asthma", "Communications"], ["asian_pakistani", "asian_bangladeshi"]),
             ("Women would come if the sessions were women-only and held here at the mosque.",
              ["Diabetes, obesity and asthma"], ["asian_bangladeshi", "asian_pakistani"]),
             ("Receptionists ask for a passport and proof of address before they will register you.",
              ["Primary care access", "Building trust"], ["other_arab", "black_african"]),
         ]),
    dict(title="GP registration drop-in", held_on=date(2026, 10, 17), place="Newtown Community Centre",
         kind="consultation", participants=19, host="Roma Families Birmingham",
         by_community={"white_roma": 14, "white_gypsy_traveller": 3},
         notes="Held with Romanian-speaking volunteers.",
         feedback=[
             ("We were told we cannot register without an address. Many families live with relatives.",
              ["Primary care access"], ["white_roma"]),
             ("Nobody explains the letters from the surgery in Romanian.", ["Communications"], ["white_roma"]),
         ]),
]

NEEDS = [
    dict(title="Registering with a GP without papers",
         statement="We want to register with a doctor without being asked for a passport or a fixed address, "
                   "and to have someone from our own community help us do it.",
         evidence=[(GP, "Handsworth", "white_roma"), (GP, "North Edgbaston", "white_roma"),
                   (GP, "Soho & Jewellery Quarter", "white_roma"), (GP, "Ladywood", "black_african")],
         feedback=[2, 3], decision="priority", themes=["Primary care access", "Building trust"],
         note="Run it with the practice managers, so that the surgeries change how they register people.",
         # grants of the awarded round the facilitator confirms answer it (grants.demo.REPORTED_GRANT)
         answered_by=("Translated GP registration cards",)),
    dict(title="Diabetes education in our languages, at the mosque",
         statement="Teach us about diabetes in Urdu and Bengali, in sessions for women and for men, at the "
                   "mosque and at times that fit prayers and work.",
         evidence=[(DIABETES, "Soho & Jewellery Quarter", "asian_bangladeshi"),
                   (DIABETES, "Soho & Jewellery Quarter", "asian_pakistani"),
                   (DIABETES, "Handsworth", "asian_bangladeshi")],
         feedback=[0, 1], decision="priority", themes=["Diabetes, obesity and asthma", "Communications"],
         note=""),
    dict(title="Letters from the surgery explained in our language",
         statement="Explain the letters from the surgery in Romanian, so we know what they want from us.",
         evidence=[], feedback=[4], decision="not_taken_forward", themes=[],
         note="The NHS is funding a translation service for GP letters from April 2027; we will ask you in a "
              "year whether it works."),
]

WE_DID = dict(need=0, text="Roma Families Birmingham and the Eritrean Community ran weekly GP registration "
                           "drop-ins with the practice managers of three surgeries, and the surgeries changed "
                           "their forms so that nobody is asked for ID or proof of address.",
              reach={"white_roma": 41, "black_african": 23, "other_arab": 9, "white_gypsy_traveller": 4})


def _first_with(collective: Collective, flag) -> Person:
    return db.session.exec(select(Person).join(Membership, Membership.person_id == Person.id)
                           .where(Membership.collective_id == collective.id, flag == True)  # noqa: E712
                           .order_by(Membership.id)).first()


def start_cycle(collective: Collective):
    """Start the demo cycle: before the round that funds it issues its awards (a round that offered
    its grants before a cycle began cannot be credited to it)."""
    return operations.create_cycle(collective, name=CYCLE_NAME, actor=_first_with(collective, Membership.is_facilitator),
                                   description="Who is missing out on GP registration and diabetes education in "
                                               "West Birmingham, what communities told us, and what we fund.")


def seed_commissioning(collective: Collective, funded_by=None, cycle=None) -> None:
    """Add the demo cycle to the demo collective (which has its facilitator and reviewers already).

    ``cycle`` is the one :func:`start_cycle` began (else it is started now). With ``funded_by``
    (the demo's awarded round, which offered its grants after the cycle began), the cycle chooses
    that round, its priorities are commissioned and the facilitator confirms the grant that
    answers the GP-registration priority: "we did" then shows it, from its report. The evidence
    files are imported as sample data: every page and PDF showing them says so.
    """
    facilitator = _first_with(collective, Membership.is_facilitator)
    reviewers = db.session.exec(select(Person).join(Membership, Membership.person_id == Person.id)
                                .where(Membership.collective_id == collective.id,
                                       Membership.is_reviewer == True)  # noqa: E712
                                .order_by(Membership.id)).all()
    reviewer, checker = reviewers[0], reviewers[-1]
    organisations = {o.name: o for o in db.session.exec(
        select(Organisation).where(Organisation.collective_id == collective.id)).all()}
    themes = {t.name: t for t in db.session.exec(select(Theme).where(Theme.collective_id == collective.id)).all()}

    if cycle is None:
        cycle = start_cycle(collective)
    operations.import_population(collective, io.BytesIO(population_csv()), actor=facilitator,
                                 filename="west-birmingham-population.csv", sample=True)
    operations.import_usage(collective, io.BytesIO(usage_csv()), actor=facilitator,
                            filename="service-use-2025-26.csv", sample=True)
    from grants.commissioning import queries

    datasets = {d.service: d for d in queries.datasets(collective)}
    operations.set_cycle_evidence(cycle, [d.id for d in datasets.values()], facilitator)
    fire(cycle, "start_engagement", facilitator)

    items = []
    for values in EVENTS:
        event = operations.record_event(
            cycle, title=values["title"], held_on=values["held_on"], place=values["place"], kind=values["kind"],
            participants=values["participants"], notes=values["notes"],
            host_ids=[organisations[values["host"]].id], by_community=values["by_community"], actor=facilitator)
        for text, theme_names, communities in values["feedback"]:
            items.append(operations.add_feedback(event, text=text, theme_ids=[themes[n].id for n in theme_names],
                                                 communities=communities, actor=facilitator))
    fire(cycle, "record_needs", facilitator)

    needs = []
    for values in NEEDS:
        needs.append(operations.write_need(
            cycle, title=values["title"], statement=values["statement"],
            evidence=[(datasets[service].id, area, code) for service, area, code in values["evidence"]],
            feedback_ids=[items[i].id for i in values["feedback"]], actor=facilitator))
    fire(cycle, "draft_priorities", facilitator)

    priorities = []
    for need, values in zip(needs, NEEDS, strict=True):
        priorities.append(operations.decide_need(
            need, approve=values["decision"] == "priority", theme_ids=[themes[n].id for n in values["themes"]],
            note=values["note"], actor=reviewer))
    entry = operations.record_we_did(priorities[WE_DID["need"]], text=WE_DID["text"], reach=WE_DID["reach"],
                                     actor=facilitator)
    operations.check_we_did(entry, checker)       # a second person checks the typed figures
    if funded_by is not None:
        operations.choose_round(cycle, funded_by.id, facilitator)
        fire(cycle, "commission", facilitator)
        from grants.commissioning import delivery

        for priority, values in zip(priorities, NEEDS, strict=True):
            if priority is None:
                continue
            confirmed = [c.id for c in delivery.candidates(cycle, priority) if c.title in values.get("answered_by", ())]
            if confirmed:
                operations.confirm_grants(priority, confirmed, facilitator)
