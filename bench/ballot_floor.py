"""What a ballot POST costs beyond the bare insert, step by step, in one process (no HTTP).

``make bench-ballots`` compares the ballot page with a one-insert route under gunicorn. This
script explains the gap: on a seeded SQLite file it times, with the Flask test client, the CPU
per request of

1. ``ceiling``: the bench's one-insert route (session cookie, CSRF, one INSERT, commit);
2. ``signed_in``: the same insert in a route that also loads the signed-in member (Flask-Login);
3. ``saved_and_redirected``: that, plus flashing "saved" and redirecting (the session cookie is
   signed again), which is what any form that saves something does here: the signed-in ceiling
   route of ``bench/ballots_app.py``, which ``make bench-ballots`` measures under gunicorn too;
4. ``ballot``: the real ballot POST (two approvals).

The first three are the floor under any ballot page with the same checks and the same answer.
It prints one line per step and ends with one JSON line: CPU milliseconds per request and each
step's ratio to the ceiling.

    .venv/bin/python bench/ballot_floor.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import bench_ballots  # noqa: E402  (puts the repository on sys.path too)

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per step (default 2000)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="commonpot-floor-")
    url, secret = f"sqlite:///{workdir}/floor.sqlite3", "floor-" + "x" * 32
    bench_ballots.migrate(url, secret)
    import ballots_app

    ballots_app.create_ceiling_table(url)
    seeded = bench_ballots.seed(url, secret, members=30, organisations=6, affiliated=6)
    os.environ.update(DATABASE_URL=url, SECRET_KEY=secret)

    from flask_login import current_user, login_required
    from werkzeug.datastructures import MultiDict

    from grants.db import db

    app = ballots_app.build()

    @app.post("/bench/signed-in")
    @login_required
    def signed_in():
        db.session.execute(ballots_app.bench_hit.insert().values(who=current_user.id, n=1, route="signed"))
        db.session.commit()
        return "", 204

    # Sign in as a member without an organisation, keep that session cookie for every request.
    client = app.test_client()
    email = seeded["people"][-1][0]
    token = CSRF_RE.search(client.get("/login").text).group(1)
    signed = client.post("/login", data={"csrf_token": token, "email": email, "password": bench_ballots.PASSWORD,
                                         "next": ""})
    assert signed.status_code == 302, signed.status_code
    ballot_path = f"/c/{bench_ballots.SLUG}/rounds/{seeded['round_id']}/ballot"
    token = CSRF_RE.search(client.get(ballot_path).text).group(1)
    headers = {"Cookie": "session=" + client.get_cookie("session").value}
    client = app.test_client(use_cookies=False)   # each request sends the signed-in cookie, unchanged
    two = sorted(seeded["proposals"])[:2]
    steps = {
        "ceiling": ("/bench/insert", {"csrf_token": token, "who": "1", "n": "1"}, 204),
        "signed_in": ("/bench/signed-in", {"csrf_token": token}, 204),
        "saved_and_redirected": (f"/bench/c/{bench_ballots.SLUG}/rounds/{seeded['round_id']}/saved",
                                 {"csrf_token": token, "n": "1"}, 302),
        "ballot": (ballot_path, MultiDict([("csrf_token", token)] + [("approve", str(p)) for p in two]), 302),
    }
    figures = {}
    for name, (path, data, status) in steps.items():
        for _ in range(50):   # warm the statement caches
            assert client.post(path, data=data, headers=headers).status_code == status
        started = time.process_time()
        for _ in range(args.requests):
            response = client.post(path, data=data, headers=headers)
            assert response.status_code == status, (name, response.status_code)
        figures[name] = round((time.process_time() - started) / args.requests * 1000, 3)
    app.extensions["commonpot_db"].dispose()
    shutil.rmtree(workdir, ignore_errors=True)
    result = {name: {"cpu_ms": ms, "ratio_to_ceiling": round(figures["ceiling"] / ms, 3)}
              for name, ms in figures.items()}
    for name, values in result.items():
        print(f"{name:22s} {values['cpu_ms']:6.3f} ms CPU per request   ceiling ÷ this = {values['ratio_to_ceiling']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
