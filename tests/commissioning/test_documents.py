"""PDF documents: plain values in, nothing fetched from outside, numbered A4 pages, facts that read back."""

from __future__ import annotations

import io
import logging

import pytest
from pypdf import PdfReader

from grants.commissioning import report
from grants.commissioning.models import CommissioningCycle
from grants.db import db
from grants.documents import RefusedURL, _fetcher, check_plain, registry, render_pdf
from tests.commissioning.helpers import cycle_with_a_priority


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_fetcher_loads_data_uris_only():
    fetcher = _fetcher()
    for url in ("file:///etc/passwd", "http://example.org/logo.png", "https://example.org/x.css", "ftp://x/y"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert fetcher.refused == ["file:///etc/passwd", "http://example.org/logo.png", "https://example.org/x.css",
                               "ftp://x/y"]
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"


def test_a_document_asking_for_a_file_or_the_web_renders_without_them(caplog):
    from weasyprint import HTML

    fetcher = _fetcher()
    html = ('<html><body><p>Before</p><img src="file:///etc/hostname"><img src="http://127.0.0.1:9/x.png">'
            '<link rel="stylesheet" href="file:///etc/passwd"><p>After</p></body></html>')
    with caplog.at_level(logging.WARNING, logger="grants.documents"):
        pdf = HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf()
    assert set(fetcher.refused) == {"file:///etc/hostname", "http://127.0.0.1:9/x.png", "file:///etc/passwd"}
    _reader, text = text_of(pdf)
    assert "Before" in text and "After" in text


def test_templates_get_plain_values_never_rows_or_sessions(app, ctx, west):
    cycle, _priority = cycle_with_a_priority(west, we_did=False)
    with pytest.raises(TypeError, match=r"values\['cycle'\] is a CommissioningCycle"):
        render_pdf("needs_analysis.html", cycle=db.session.get(CommissioningCycle, cycle.id))
    with pytest.raises(TypeError, match=r"values\['nested'\]\[0\]\['session'\] is a Session"):
        check_plain({"nested": [{"session": db.session}]})


def test_the_needs_analysis_pdf_reads_back_with_its_facts(app, ctx, west):
    cycle, _priority = cycle_with_a_priority(west)
    pdf = report.NEEDS_ANALYSIS.render(report.needs_analysis_values(cycle.id))
    reader, text = text_of(pdf)
    pages = len(reader.pages)
    assert pages >= 2
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)                     # A4 in points
    assert "West Birmingham Collective" in text and "Needs analysis: 2027 community health" in text
    assert "GP registrations, 2025-26" in text
    assert "Registering with a GP without papers" in text
    assert "Let us register with a doctor without a passport or a fixed address." in text
    assert "Building trust, Primary care access" in text                 # in the themes' order
    assert "GP registration drop-in" in text and "Roma Families Birmingham" in text
    assert "Weekly registration drop-ins at three surgeries." in text
    # disclosure control: 1,986 stated users → 1,985; Roma in Ladywood (6) hidden with its ratio, and
    # African in Ladywood (60) hidden beside it; 19 participants → 20; reach 41/23/9/4 → 40, 25, *, *, total 75
    assert "stated ethnic group: 1,985; not stated: 50" in text and "1,986" not in text
    assert "Ladywood Roma * 500 * *" in text and "Ladywood African * 1,500 * *" in text
    assert "Handsworth Roma 20 1,000 0.22 0.14 to 0.34" in text
    assert "19 participants" not in text and "with 20 participants in all" in text
    assert "Roma 40" in text and "African 25" in text and "Total 75" in text


def test_the_registry_and_the_documents_commands(app, runner, west, tmp_path, monkeypatch):
    assert "needs-analysis" in registry.kinds()
    # the other kinds (award letters, …) are tested with their packages
    monkeypatch.setattr(registry, "kinds", lambda: {"needs-analysis": report.NEEDS_ANALYSIS})
    with app.app_context():
        cycle, _priority = cycle_with_a_priority(west)
        cycle_id = cycle.id
    out = tmp_path / "needs.pdf"
    result = runner.invoke(args=["documents", "render", "needs-analysis", "--id", str(cycle_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote needs-analysis report" in result.output
    assert "Registering with a GP without papers" in text_of(out.read_bytes())[1]
    result = runner.invoke(args=["documents", "render", "needs-analysis", "--id", "999", "--out", str(out)])
    assert result.exit_code == 1 and "There is no commissioning cycle with id 999." in result.output
    result = runner.invoke(args=["documents", "render", "no-such-document", "--id", "1", "--out", str(out)])
    assert result.exit_code == 2 and "known kinds: needs-analysis" in result.output

    result = runner.invoke(args=["documents", "samples", str(tmp_path / "samples"), "--kind", "no-such-document"])
    assert result.exit_code == 2 and "no-such-document is not a kind of document; known kinds: needs-analysis" in result.output
    assert not (tmp_path / "samples").exists()
    result = runner.invoke(args=["documents", "samples", str(tmp_path / "samples"), "--kind", "needs-analysis"])
    assert result.exit_code == 0, result.output
    assert [path.name for path in (tmp_path / "samples").iterdir()] == ["sample-needs-analysis.pdf"]
    sample = tmp_path / "samples" / "sample-needs-analysis.pdf"
    reader, text = text_of(sample.read_bytes())
    assert "Needs analysis: 2027 community health" in text
    assert "Diabetes structured education, 2025-26" in text and "New GP registrations, 2025-26" in text
    assert "Diabetes education in our languages, at the mosque" in text
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
