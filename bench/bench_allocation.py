"""Benchmark the allocation rules against pabutools 1.2.3 on the largest pabulib instances.

Runs ``mes_cost``, ``mes_cost_add1``, ``greedy_cost`` and ``phragmen`` on the three largest
files of ``shared/pabulib/instances`` (largest by file size: Wrocław 2015, Łódź 2022,
Warszawa 2026), with this package and with pabutools, in the same run. Both sides are timed
the same way: parsing the ``.pb`` file plus running the rule (wall clock,
``time.perf_counter``). pabutools runs one (instance, rule) at a time in a fresh process
(as its reference timings were made), so its memo caches never carry over; ours runs in
this process, ``--repeat`` times (median reported), each time from the file. The selections
and exact costs are compared; a pair only counts as identical if both match.

Needs pabutools (``pip install pabutools==1.2.3``) in the interpreter running this script;
``grants`` is imported from the repository this file sits in. Typical use::

    .venv-bench/bin/python bench/bench_allocation.py
    .venv-bench/bin/python bench/bench_allocation.py --rule greedy_cost --pabutools-timeout 300

Each pair prints one line with both times and the ratio; the LAST line printed is one JSON
object ``{instance: {rule: {"ours_s", "pabutools_s", "speedup", "identical"}}}``. A pabutools
run that exceeds ``--pabutools-timeout`` or the ``--pabutools-memory-gb`` address-space limit
is stopped: ``pabutools_s`` is then the time it ran (a lower bound, as is the speedup),
``pabutools_failed`` says why, and the selection is compared with the outcome recorded in
``shared/pabulib/reference.json`` (``"compared_with": "reference.json"``). pabutools'
``mes_cost_add1`` on Warszawa 2026 needs over ten minutes and, through its ever-growing MES
memo, well over 10 GB (the reference run needed a merged-ballot fallback).
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
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # works without installing the project

from grants.allocation import read_pb, run_rule  # noqa: E402

RULES = ("mes_cost", "mes_cost_add1", "greedy_cost", "phragmen")

PABUTOOLS = r"""
import json, os, sys, time
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen
from pabutools.tiebreaking import lexico_tie_breaking as tb

path, rule = sys.argv[1], sys.argv[2]
start = time.perf_counter()
instance, profile = parse_pabulib(path)
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


def largest_instances(count: int = 3) -> list[Path]:
    files = sorted((shared_dir() / "pabulib" / "instances").glob("*.pb"),
                   key=lambda p: p.stat().st_size, reverse=True)
    return files[:count]


def run_ours(path: Path, rule: str, repeat: int) -> tuple[float, list[str], str]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        allocation = run_rule(rule, read_pb(path))
        times.append(time.perf_counter() - start)
    return statistics.median(times), sorted(allocation.selected), str(allocation.cost)


def run_pabutools(path: Path, rule: str, timeout: float, memory_gb: float) -> tuple[dict | None, str, float]:
    """(result or None, why it failed, wall seconds until it ended) for one pabutools run."""
    def limit_memory() -> None:
        # pabutools' MES memo grows without bound during add-one (pitfall 5 of the reference
        # README); cap it so a benchmark cannot take the whole machine.
        limit = int(memory_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", PABUTOOLS, str(path), rule],
                              capture_output=True, text=True, timeout=timeout,
                              preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        if "MemoryError" in done.stderr or "memory" in done.stderr.lower():
            return None, f"stopped at the {memory_gb:g} GB memory limit after {elapsed:.0f} s", elapsed
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return None, f"failed after {elapsed:.0f} s: {last}", elapsed
    return json.loads(done.stdout.strip().splitlines()[-1]), "", elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rule", action="append", choices=RULES,
                        help="rule to time (repeatable; default: all four)")
    parser.add_argument("--instance", action="append",
                        help="instance file name (repeatable; default: the three largest)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours per pair (median)")
    parser.add_argument("--pabutools-timeout", type=float, default=2400.0,
                        help="seconds allowed per pabutools run (default 2400)")
    parser.add_argument("--pabutools-memory-gb", type=float, default=8.0,
                        help="address-space limit per pabutools run, in GB (default 8)")
    args = parser.parse_args()
    try:
        import pabutools  # noqa: F401
    except ImportError:
        print("pabutools is not installed in this interpreter (pip install pabutools==1.2.3)",
              file=sys.stderr)
        return 2

    instances = ([shared_dir() / "pabulib" / "instances" / name for name in args.instance]
                 if args.instance else largest_instances())
    rules = args.rule or list(RULES)
    reference = json.loads((shared_dir() / "pabulib" / "reference.json").read_text("utf-8"))
    report: dict[str, dict[str, dict]] = {}
    for path in instances:
        name = path.name.removesuffix(".pb")
        report[name] = {}
        for rule in rules:
            ours_s, selected, cost = run_ours(path, rule, args.repeat)
            theirs, failure, elapsed = run_pabutools(path, rule, args.pabutools_timeout,
                                                     args.pabutools_memory_gb)
            entry: dict = {"ours_s": round(ours_s, 4)}
            if theirs is None:
                # No pabutools outcome: its time is a lower bound, and the selection is compared
                # with the outcome pabutools gave when reference.json was made.
                recorded = reference.get(path.name, {}).get(rule, {})
                entry["pabutools_s"] = round(elapsed, 1)
                entry["pabutools_failed"] = failure
                entry["speedup"] = round(elapsed / ours_s, 1)
                entry["identical"] = (recorded.get("status") == "ok"
                                      and selected == sorted(recorded["selected"])
                                      and cost == recorded["cost_exact"])
                entry["compared_with"] = "reference.json"
                their_text = f">{elapsed:.0f} s ({failure})"
            else:
                entry["pabutools_s"] = round(theirs["seconds"], 3)
                entry["speedup"] = round(theirs["seconds"] / ours_s, 1)
                entry["identical"] = selected == theirs["selected"] and cost == theirs["cost"]
                their_text = f"{theirs['seconds']:.2f} s"
            report[name][rule] = entry
            print(f"{name} {rule}: ours {ours_s:.3f} s, pabutools {their_text}, "
                  f"{entry['speedup']}x faster, {'identical' if entry['identical'] else 'DIFFERENT'}"
                  f" ({len(selected)} projects, cost {cost})",
                  flush=True)
    print(json.dumps(report))
    return 0 if all(e["identical"] for r in report.values() for e in r.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
