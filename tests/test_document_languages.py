"""Documents in the reader's language: built by the worker inside ``force_locale``, kept per
language, the award letter in its grantee's language with an English copy beside it.

The PDFs are read back as a person would read them: the words are the compiled catalogue's
(``grants/translations/<code>/LC_MESSAGES/messages.mo``), not guesses written here, and the
names people typed in Bengali, Gurmukhi and Urdu come out whole.

Reading text back. Urdu: ``pdftotext`` (poppler) returns the letters in reading order; the Urdu
checks compare with NFKC (presentation forms folded back to letters), ignoring spaces, against
its text. Bengali and Gurmukhi: the pages show every conjunct and vowel sign (checked by eye,
``pdftoppm``), but the PDF's text layer, WeasyPrint's one-glyph-to-text map, gives a vowel sign
written before its consonant (ি, ে, ਿ) back out of place or not at all, to pypdf and pdftotext
alike, and sometimes muddles a reph. These checks therefore compare the *letters* (dependent vowel
signs, viramas and spaces removed, :func:`skeleton`) of headings that come back whole, in both
extractors' text; Gurmukhi names, which come back intact from pypdf, are compared in full.
"""

from __future__ import annotations

import io
import subprocess
import unicodedata
from urllib.parse import unquote

from babel.support import Translations
from flask_babel import force_locale
from pypdf import PdfReader
from sqlmodel import select

from grants import REPO_ROOT
from grants.auth.models import Person
from grants.awards.documents import AWARD_LETTER
from grants.awards.models import CONDITIONS
from grants.collectives.models import Membership
from grants.db import db
from grants.documents import render_html
from grants.documents.models import DocumentBuild
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from tests import factories
from tests.test_documents_awards import _awarded

BENGALI_ORGANISATION = "ঢাকা মহিলা সমিতি"
GURMUKHI_CONTACT = "ਹਰਪ੍ਰੀਤ ਕੌਰ ਸੰਧੂ"
URDU_FACILITATOR = "فاطمہ ثاقب"
URDU_TITLE = "ذیابیطس سے آگاہی کی محفل"
PUNJABI_HEADINGS = ("The grant", "Payment schedule", "Conditions", "Reports", "How to accept", "Amount")
BENGALI_HEADINGS = ("1. Money awarded", "By theme", "By pot", "3. People reached, by community", "5. Stories",
                    "Proposals submitted", "Not funded", "In all")


def catalogue(code: str) -> Translations:
    """The compiled catalogue the app reads (``make translations`` writes it)."""
    found = Translations.load(str(REPO_ROOT / "grants" / "translations"), [code])
    assert isinstance(found, Translations), f"no compiled catalogue for {code}: run make translations"
    return found


def translated(code: str, msgid: str) -> str:
    text = catalogue(code).gettext(msgid)
    assert text != msgid, f"{msgid!r} is not translated in {code}"
    return text


def squeeze(text: str, form: str = "NFC") -> str:
    """Normalised, and without spaces or direction marks: shaping and line breaks move them."""
    text = unicodedata.normalize(form, text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def skeleton(text: str) -> str:
    """Letters only: no vowel signs, viramas, nuktas or spaces (what extraction can misplace)."""
    return "".join(c for c in squeeze(text) if unicodedata.category(c) not in ("Mn", "Mc"))


def pypdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def poppler_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def fonts(pdf: bytes, tmp_path) -> list[tuple[str, bool]]:
    """(font name, embedded) for each font ``pdffonts`` lists."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    found = []
    for line in lines[2:]:
        cells = line.split()
        # name type [encoding…] emb sub uni object ID: "yes"/"no" columns counted from the end.
        found.append((cells[0].split("+")[-1], cells[-5] == "yes"))
    return found


def disposition(response) -> tuple[str, str]:
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")
    parts = dict(part.strip().split("=", 1) for part in header.split(";")[1:])
    return parts["filename"].strip('"'), unquote(parts["filename*"].removeprefix("UTF-8''"))


def _grantee_world(app, language: str, *, names: bool = False) -> dict:
    """An awarded round whose first grant's organisation acts through an applicant reading
    ``language``; with ``names``, its organisation, contact, title and signer in their own scripts."""
    w = _awarded(app)
    grant = w["grants"][0]
    with app.app_context():
        organisation = db.session.get(Organisation, grant.organisation_id)
        applicant = db.session.exec(select(Person).join(Membership, Membership.person_id == Person.id).where(
            Membership.organisation_id == organisation.id, Membership.is_applicant == True)).one()  # noqa: E712
        applicant.preferred_language = language
        if names:
            organisation.name = BENGALI_ORGANISATION
            organisation.contact_name = GURMUKHI_CONTACT
            db.session.get(Proposal, grant.proposal_id).title = URDU_TITLE
            db.session.get(Person, w["facilitator"].id).name = URDU_FACILITATOR
        db.session.commit()
        w["applicant"] = applicant
    return w


def _letter(client, grant, query: str = ""):
    response = client.get(f"/c/west/grants/{grant.id}/award-letter.pdf{query}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    return response


def test_an_urdu_award_letter_is_in_the_catalogues_urdu_with_names_in_every_script(app, client, tmp_path):
    w = _grantee_world(app, "ur", names=True)
    grant = w["grants"][0]
    factories.login(client, w["facilitator"])       # an English-speaking facilitator downloads it
    response = _letter(client, grant)
    pdf = response.data
    (tmp_path / "urdu-letter.pdf").write_bytes(pdf)
    with app.app_context():
        build = db.session.exec(select(DocumentBuild).where(DocumentBuild.kind == "award-letter")).one()
        assert (build.language, build.state) == ("ur", "done")   # built by the worker, in the grantee's language

    text = squeeze(poppler_text(pdf, tmp_path), "NFKC")
    for msgid in ("How to accept", "Payment schedule", "By accepting the grant, your organisation agrees to these "
                  "conditions:", "With best wishes,", CONDITIONS[0]):
        assert squeeze(translated("ur", msgid), "NFKC") in text, msgid
    assert "How to accept" not in poppler_text(pdf, tmp_path)
    # Dates and money in Urdu's formatting (the worker's locale), the month's name in Urdu.
    assert squeeze("اپریل", "NFKC") in text

    # Names typed in three scripts come out whole: Gurmukhi in pypdf's text, Urdu in pdftotext's,
    # Bengali letter by letter (see the module's docstring).
    lefts = squeeze(pypdf_text(pdf))
    assert squeeze(GURMUKHI_CONTACT) in lefts
    assert skeleton(BENGALI_ORGANISATION) in skeleton(pypdf_text(pdf))
    assert skeleton(BENGALI_ORGANISATION) in skeleton(poppler_text(pdf, tmp_path))
    assert squeeze(URDU_FACILITATOR, "NFKC") in text and squeeze(URDU_TITLE, "NFKC") in text

    embedded = fonts(pdf, tmp_path)
    names = {name for name, _embedded in embedded}
    assert all(is_embedded for _name, is_embedded in embedded), embedded
    for family in ("NotoNaskhArabic", "NotoSansBengali", "NotoSansGurmukhi", "NotoSans"):
        assert any(name.replace("-", "").startswith(family) for name in names), (family, names)

    # The file's name is the organisation's own words: ASCII filename plus filename* (RFC 5987).
    ascii_name, utf8_name = disposition(response)
    assert ascii_name.isascii() and ascii_name.endswith(f"-{grant.id}.pdf")
    assert utf8_name == f"award-letter-{'-'.join(BENGALI_ORGANISATION.split())}-{grant.id}.pdf"


def test_the_urdu_letter_is_laid_out_right_to_left(app, client, tmp_path):
    w = _grantee_world(app, "ur", names=True)
    factories.login(client, w["facilitator"])
    pdf = _letter(client, w["grants"][0]).data
    with app.test_request_context("/"), force_locale("ur"):
        html = render_html(AWARD_LETTER.template, **AWARD_LETTER.load(w["grants"][0].id))
    assert '<html lang="ur" dir="rtl">' in html
    assert f'<span dir="ltr">{GURMUKHI_CONTACT}</span>' in html           # typed text keeps its own direction
    heading = translated("ur", "Award letter: %(title)s") % {"title": f'<span dir="rtl">{URDU_TITLE}</span>'}
    assert f"<h1>{heading}</h1>" in html
    assert 'dir="ltr"' in html                                            # the grant page's address stays LTR
    png = tmp_path / "urdu-letter"
    (tmp_path / "letter.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / "letter.pdf"), str(png)],
                   check=True)
    assert list(tmp_path.glob("urdu-letter*.png"))


def test_a_punjabi_grantees_letter_is_in_punjabi_with_an_english_copy(app, client, tmp_path):
    w = _grantee_world(app, "pa")
    grant = w["grants"][0]
    factories.login(client, w["applicant"])
    page = client.get(f"/c/west/grants/{grant.id}").get_data(as_text=True)
    english = f"/c/west/grants/{grant.id}/award-letter.pdf?lang=en"
    assert f'href="{english}"' in page.replace("&amp;", "&")             # "Download in English" beside the letter

    punjabi = skeleton(pypdf_text(_letter(client, grant).data))
    for msgid in PUNJABI_HEADINGS:
        assert skeleton(translated("pa", msgid)) in punjabi, msgid
    copy = pypdf_text(_letter(client, grant, "?lang=en").data)
    assert "How to accept" in copy and "With best wishes," in copy and "Dear " in copy
    assert "Payment schedule" in copy and "By accepting the grant, your organisation agrees" in copy
    assert not any(skeleton(translated("pa", msgid)) in skeleton(copy) for msgid in PUNJABI_HEADINGS)
    with app.app_context():
        languages = sorted(db.session.exec(select(DocumentBuild.language).where(
            DocumentBuild.kind == "award-letter", DocumentBuild.state == "done")).all())
        assert languages == ["en", "pa"]                                   # two builds, one per language
    assert client.get(f"/c/west/grants/{grant.id}/award-letter.pdf?lang=xx").status_code == 404


def test_an_english_grantee_gets_no_second_link(app, client):
    w = _grantee_world(app, "en")
    factories.login(client, w["applicant"])
    page = client.get(f"/c/west/grants/{w['grants'][0].id}").get_data(as_text=True)
    assert "lang=en" not in page


def test_a_bengali_readers_impact_report_is_in_bengali(app, client, tmp_path):
    w = _awarded(app)
    with app.app_context():
        db.session.get(Person, w["facilitator"].id).preferred_language = "bn"
        db.session.commit()
    factories.login(client, w["facilitator"])
    response = client.get(f"/c/west/rounds/{w['round'].id}/impact-report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pdf = response.data
    (tmp_path / "bengali-impact.pdf").write_bytes(pdf)
    for text in (skeleton(pypdf_text(pdf)), skeleton(poppler_text(pdf, tmp_path))):
        for msgid in BENGALI_HEADINGS:
            assert skeleton(translated("bn", msgid)) in text, msgid
    assert "Money awarded" not in pypdf_text(pdf) and "Success rates" not in pypdf_text(pdf)
    with app.app_context():
        build = db.session.exec(select(DocumentBuild).where(DocumentBuild.kind == "impact-report")).one()
        assert build.language == "bn"
    assert any(name.replace("-", "").startswith("NotoSansBengali") and is_embedded
               for name, is_embedded in fonts(pdf, tmp_path))
