"""`python -m bench [--quick] [--output PATH] [--only SECTION ...]`: run, print, write JSON."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

from rich.console import Console

from bench import DEFAULT_OUTPUT, calls, generation, go_guest, opening, v2_host
from bench.budget import FULL, QUICK, Budget
from bench.report import markdown, print_report, write_json
from bench.stats import Section

SECTIONS: dict[str, Callable[[Budget], Section]] = {
    "generation": generation.run,
    "typed_call": calls.typed_calls,
    "opening": opening.run,
    "throughput": calls.throughput,
    "v2_host": v2_host.run,
    "go_guest": go_guest.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="very few repetitions (smoke test)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the JSON file")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(SECTIONS), help="run only these sections"
    )
    parser.add_argument("--markdown", action="store_true", help="also print the Markdown table")
    args = parser.parse_args(argv)
    budget = QUICK if args.quick else FULL
    console = Console()
    if not console.is_terminal:  # a log or a pipe: do not squeeze the table into 80 columns
        console = Console(width=170)
    started = time.monotonic()
    sections = []
    for key in args.only or SECTIONS:
        with console.status(f"benchmarking {key}..."):
            section_start = time.monotonic()
            sections.append(SECTIONS[key](budget))
        console.print(f"[dim]{key}: {time.monotonic() - section_start:.1f} s[/dim]")
    meta = {
        "quick": args.quick,
        "budget": asdict(budget),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "load_average": list(os.getloadavg()),
        "extism": version("extism"),
        "extism_sys": version("extism-sys"),
        "pydantic": version("pydantic"),
        "datamodel_code_generator": version("datamodel-code-generator"),
        "started_unix": time.time(),
        "duration_s": time.monotonic() - started,
    }
    write_json(args.output, sections, meta)
    print_report(sections, console)
    if args.markdown:
        print(markdown(sections))
    console.print(f"results: {args.output} ({meta['duration_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
