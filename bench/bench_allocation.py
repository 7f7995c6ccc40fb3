"""Benchmark the allocation rules against pabutools 1.2.3 on the largest pabulib instances.

Runs ``greedy_cost``, ``mes_cost``, ``mes_cost_add1`` and ``phragmen`` on the three largest
files of ``shared/pabulib/instances`` (largest by file size: Wrocław 2015, Łódź 2022,
Warszawa 2026) plus ``Hungary_Budapest_2024.pb`` (HUF budgets: the add-one completion's
hardest case), three ways in the same run:

* **ours**: ``read_pb`` + the rule;
* **pabutools multiprofile**: ``parse_pabulib`` + ``profile.as_multiprofile()`` (identical
  ballots merged, pabutools' documented fast path; exact, same lexicographic tie-breaking) +
  the rule;
* **pabutools plain**: ``parse_pabulib`` + the rule on the plain ``ApprovalProfile`` (the
  figure earlier versions of this benchmark reported, kept for continuity).

Every measurement is one fresh process per (instance, rule, way), timed inside the child with
``time.perf_counter`` from before parsing to after the rule (interpreter start-up and imports
are not counted, for either side), so no cache carries over between rules. Ours runs
``--repeat`` times (median reported). The selections and exact costs of every way that
finished are compared; a pair only counts as identical if all of them match.

A pabutools call that exceeds its timeout (``--multiprofile-timeout``, ``--plain-timeout``)
or the ``--pabutools-memory-gb`` address-space limit is stopped and reported as
``"timed out"`` (or why it failed); its time is then a lower bound, and so is the speedup.
When neither pabutools call finished, the selection is compared with the outcome recorded in
``shared/pabulib/reference.json`` (``"compared_with": "reference.json"``).

Needs pabutools (``pip install pabutools==1.2.3``) in the interpreter running this script;
``grants`` is imported from the repository this file sits in. Typical use::

    .venv-bench/bin/python bench/bench_allocation.py
    .venv-bench/bin/python bench/bench_allocation.py --rule phragmen --skip-plain

Each pair prints one line; the LAST line printed is one JSON object
``{instance: {rule: {"ours_s", "multiprofile_s", "plain_s", "faster_pabutools_s", "speedup",
"identical", ...}}}`` where ``speedup`` is the faster pabutools call's time over ours. The
machine is shared: read the ratios measured in one run, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

RULES = ("greedy_cost", "mes_cost", "mes_cost_add1", "phragmen")
EXTRA_INSTANCES = ("Hungary_Budapest_2024.pb",)

OURS = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[3])
from grants.allocation import read_pb, run_rule

path, rule = sys.argv[1], sys.argv[2]
start = time.perf_counter()
allocation = run_rule(rule, read_pb(path))
seconds = time.perf_counter() - start
print(json.dumps({"selected": sorted(allocation.selected), "cost": str(allocation.cost),
                  "seconds": seconds}), flush=True)
os._exit(0)
"""

PABUTOOLS = r"""
import json, os, sys, time
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen
from pabutools.tiebreaking import lexico_tie_breaking as tb

path, rule, way = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
instance, profile = parse_pabulib(path)
if way == "multiprofile":
    profile = profile.as_multiprofile()
if rule == "greedy_cost":
    outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, tie_breaking=tb,
                                         resoluteness=True)
elif rule == "mes_cost":
    outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=tb,
                                     resoluteness=True)
elif rule == "mes_cost_add1":
    outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=tb,
                                     resoluteness=True, voter_budget_increment=1)
elif rule == "phragmen":
    outcome = sequential_phragmen(instance, profile, tie_breaking=tb, resoluteness=True)
else:
    raise SystemExit("unknown rule " + rule)
seconds = time.perf_counter() - start
print(json.dumps({"selected": sorted(p.name for p in outcome),
                  "cost": str(sum((p.cost for p in outcome), 0)), "seconds": seconds}), flush=True)
os._exit(0)  # pabutools' MES memo can take minutes to free at exit; the timing is done
"""


def shared_dir() -> Path:
    return Path(os.environ.get("COMMONPOT_SHARED") or REPO.parent / "shared")


def default_instances() -> list[Path]:
    folder = shared_dir() / "pabulib" / "instances"
    files = sorted(folder.glob("*.pb"), key=lambda p: p.stat().st_size, reverse=True)[:3]
    for name in EXTRA_INSTANCES:
        extra = folder / name
        if not extra.exists():
            raise SystemExit(f"{extra} is missing from the shared instances")
        if extra not in files:
            files.append(extra)
    return files


def run_child(code: str, args: list[str], timeout: float, memory_gb: float | None) -> tuple[dict | None, str, float]:
    """(result or None, why it failed, wall seconds until it ended) for one child process."""
    def limit_memory() -> None:
        # pabutools' MES memo grows without bound during add-one (pitfall 5 of the reference
        # README); cap it so a benchmark cannot take the whole machine.
        if memory_gb is not None:
            limit = int(memory_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                              timeout=timeout, preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        return None, "timed out", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        if "MemoryError" in done.stderr or "memory" in done.stderr.lower():
            return None, f"stopped at the {memory_gb:g} GB memory limit", elapsed
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return None, f"failed: {last}", elapsed
    return json.loads(done.stdout.strip().splitlines()[-1]), "", elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rule", action="append", choices=RULES,
                        help="rule to time (repeatable; default: all four)")
    parser.add_argument("--instance", action="append",
                        help="instance file name (repeatable; default: the three largest + Budapest 2024)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours per pair (median)")
    parser.add_argument("--multiprofile-timeout", type=float, default=900.0,
                        help="seconds allowed per pabutools multiprofile call (default 900)")
    parser.add_argument("--plain-timeout", type=float, default=300.0,
                        help="seconds allowed per plain pabutools call (default 300)")
    parser.add_argument("--ours-timeout", type=float, default=3600.0,
                        help="seconds allowed per run of ours (default 3600)")
    parser.add_argument("--skip-plain", action="store_true", help="do not run plain pabutools")
    parser.add_argument("--pabutools-memory-gb", type=float, default=8.0,
                        help="address-space limit per pabutools call, in GB (default 8)")
    args = parser.parse_args()
    try:
        import pabutools  # noqa: F401
    except ImportError:
        print("pabutools is not installed in this interpreter (pip install pabutools==1.2.3)",
              file=sys.stderr)
        return 2

    instances = ([shared_dir() / "pabulib" / "instances" / name for name in args.instance]
                 if args.instance else default_instances())
    rules = args.rule or list(RULES)
    reference = json.loads((shared_dir() / "pabulib" / "reference.json").read_text("utf-8"))
    ways = [("multiprofile", args.multiprofile_timeout)]
    if not args.skip_plain:
        ways.append(("plain", args.plain_timeout))
    report: dict[str, dict[str, dict]] = {}
    for path in instances:
        name = path.name.removesuffix(".pb")
        report[name] = {}
        for rule in rules:
            ours = []
            for _ in range(args.repeat):
                result, failure, elapsed = run_child(OURS, [str(path), rule, str(REPO)],
                                                     args.ours_timeout, None)
                if result is None:
                    break
                ours.append(result)
            if not ours:
                report[name][rule] = {"ours_s": failure, "ours_ran_s": round(elapsed, 1),
                                      "identical": False}
                print(f"{name} {rule}: ours {failure} after {elapsed:.0f} s", flush=True)
                continue
            ours_s = statistics.median(r["seconds"] for r in ours)
            selected, cost = ours[0]["selected"], ours[0]["cost"]
            entry: dict = {"ours_s": round(ours_s, 4)}
            finished: list[float] = []
            bounds: list[float] = []
            identical = all(r["selected"] == selected and r["cost"] == cost for r in ours)
            texts = []
            for way, timeout in ways:
                theirs, failure, elapsed = run_child(PABUTOOLS, [str(path), rule, way], timeout,
                                                     args.pabutools_memory_gb)
                if theirs is None:
                    entry[f"{way}_s"] = failure
                    entry[f"{way}_ran_s"] = round(elapsed, 1)
                    bounds.append(elapsed)
                    texts.append(f"{way} {failure} after {elapsed:.0f} s")
                else:
                    entry[f"{way}_s"] = round(theirs["seconds"], 3)
                    finished.append(theirs["seconds"])
                    same = theirs["selected"] == selected and theirs["cost"] == cost
                    entry[f"{way}_identical"] = same
                    identical = identical and same
                    texts.append(f"{way} {theirs['seconds']:.2f} s")
            if finished:
                faster = min(finished)
                entry["faster_pabutools_s"] = round(faster, 3)
                entry["speedup"] = round(faster / ours_s, 1)
            else:
                # No pabutools outcome: its time is a lower bound, and the selection is compared
                # with the outcome pabutools gave when reference.json was made.
                faster = min(bounds)
                recorded = reference.get(path.name, {}).get(rule, {})
                entry["faster_pabutools_s"] = f"> {faster:.0f}"
                entry["speedup"] = f"> {faster / ours_s:.1f}"
                identical = identical and (recorded.get("status") == "ok"
                                           and selected == sorted(recorded["selected"])
                                           and cost == recorded["cost_exact"])
                entry["compared_with"] = "reference.json"
            entry["identical"] = identical
            report[name][rule] = entry
            print(f"{name} {rule}: ours {ours_s:.3f} s, {', '.join(texts)}; "
                  f"{entry['speedup']}x the faster pabutools, "
                  f"{'identical' if identical else 'DIFFERENT'} ({len(selected)} projects, cost {cost})",
                  flush=True)
    print(json.dumps(report))
    return 0 if all(e["identical"] for r in report.values() for e in r.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
