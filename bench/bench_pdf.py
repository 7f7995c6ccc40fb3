"""Benchmark the proposal pack: render it for 100 proposals; report seconds per page and peak memory.

The pack is rendered from the built-in sample values (``grants.awards.documents.sample_proposal_pack``:
realistic proposals with summaries, communities, outcomes and budget lines, and the paper ballot
sheet; no database), through the same template and renderer the background build uses.

Each measurement runs in a fresh child process, so its peak memory (``ru_maxrss``) is the
render's own and not this script's. The child imports WeasyPrint and renders a one-proposal pack
first (font loading and other one-off start-up costs are not a cost per page), then renders the
pack ``--repeat`` times and reports the fastest: wall clock (``time.perf_counter``) and CPU time
(``time.process_time``; on a busy machine the wall clock waits for other processes too).
Typical use::

    make bench-pdf
    .venv/bin/python bench/bench_pdf.py --proposals 100 --method score --repeat 5

The LAST line printed is one JSON object ``{"pages", "seconds", "seconds_per_page", "peak_mb"}``
(seconds: the fastest wall-clock render). The target is at most 0.1 s per page.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # works without installing the project

TARGET_SECONDS_PER_PAGE = 0.1


def measure(proposals: int, method: str, repeat: int) -> dict:
    """In the child: render the pack and return its figures."""
    from pypdf import PdfReader

    from grants.awards.documents import PROPOSAL_PACK, sample_proposal_pack

    PROPOSAL_PACK.render(sample_proposal_pack(1, method))  # warm-up: fonts, CSS parser, caches
    values = sample_proposal_pack(proposals, method)
    walls, cpus, pdf = [], [], b""
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        pdf = PROPOSAL_PACK.render(values)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"pages": pages, "walls": walls, "cpus": cpus, "bytes": len(pdf), "peak_mb": peak_kb / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=100, help="proposals in the pack (default 100)")
    parser.add_argument("--method", default="approval_limited",
                        choices=("approval", "approval_limited", "score", "cumulative"),
                        help="the voting method of the ballot sheet (default approval_limited)")
    parser.add_argument("--repeat", type=int, default=3, help="renders timed; the fastest counts (default 3)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.proposals, args.method, max(1, args.repeat))))
        return 0

    print(f"Rendering the proposal pack for {args.proposals} proposals ({args.method} ballot), "
          f"{args.repeat} time(s) in a child process…", flush=True)
    child = subprocess.run([sys.executable, __file__, "--child", "--proposals", str(args.proposals),
                            "--method", args.method, "--repeat", str(args.repeat)],
                           capture_output=True, text=True, check=False, cwd=REPO)
    if child.returncode != 0:
        print(child.stdout + child.stderr, file=sys.stderr)
        return child.returncode
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    pages, seconds, cpu = figures["pages"], min(figures["walls"]), min(figures["cpus"])
    print(f"{pages} pages, {figures['bytes'] / 1024:.0f} KB; wall clock per run: "
          + ", ".join(f"{w:.2f} s" for w in figures["walls"]))
    print(f"fastest: {seconds:.2f} s wall ({seconds / pages:.3f} s per page), {cpu:.2f} s CPU "
          f"({cpu / pages:.3f} s per page); peak memory {figures['peak_mb']:.0f} MB")
    verdict = "within" if seconds / pages <= TARGET_SECONDS_PER_PAGE else "OVER"
    print(f"{verdict} the target of {TARGET_SECONDS_PER_PAGE} s per page")
    print(json.dumps({"pages": pages, "seconds": round(seconds, 3), "seconds_per_page": round(seconds / pages, 4),
                      "peak_mb": round(figures["peak_mb"], 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
