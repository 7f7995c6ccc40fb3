"""``flask --app grants commissioning gaps``: the gaps table as text or as one JSON list."""

from __future__ import annotations

import json

import pytest

from tests.commissioning.conftest import load_evidence


def test_gaps_as_json_is_one_list_of_objects_with_the_documented_fields(app, runner, west):
    with app.app_context():
        load_evidence(west)
    result = runner.invoke(args=["commissioning", "gaps", "--collective", "west", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert isinstance(rows, list) and len(rows) == 8
    assert all(list(row) == ["service", "period", "area", "ethnic_group", "users", "population", "ratio", "ci_low",
                             "ci_high", "under_served"] for row in rows)
    roma = next(r for r in rows if r["area"] == "Handsworth" and r["ethnic_group"] == "white_roma")
    # Handsworth: 20 of 910 users, 1,000 of 10,000 people
    assert roma["users"] == 20 and roma["population"] == 1000
    assert roma["ratio"] == pytest.approx((20 / 910) / 0.1, abs=1e-4)
    assert roma["ci_low"] < roma["ratio"] < roma["ci_high"] < 0.8 and roma["under_served"] is True
    pakistani = next(r for r in rows if r["area"] == "Handsworth" and r["ethnic_group"] == "asian_pakistani")
    assert pakistani["under_served"] is False


def test_gaps_as_text_and_with_no_data(app, runner, west):
    result = runner.invoke(args=["commissioning", "gaps", "--collective", "west"])
    assert result.output.strip() == "No service-use data yet."
    assert json.loads(runner.invoke(args=["commissioning", "gaps", "--collective", "west", "--json"]).output) == []
    with app.app_context():
        load_evidence(west)
    lines = runner.invoke(args=["commissioning", "gaps", "--collective", "west"]).output.splitlines()
    assert len(lines) == 8
    assert any(line.startswith("GP registrations | 2025-26 | Ladywood | Roma: users 6, population 500, ratio 0.13")
               and line.endswith("UNDER-SERVED") for line in lines)
