"""Benchmark of pdf_fonts.share_font_subsets on the FY2019 sample rendered in pieces. Prints figures; asserts nothing.

    .venv/bin/python tests/bench/bench_pdf_fonts.py [--runs 7] [--json]

The print HTML is cut before each annex (3 pieces) and, finer, into TOC, body, each 別紙1 sheet and each annex
(12 pieces); each piece is rendered by WeasyPrint, the pieces merged with pikepdf, and the fonts shared. Sizes are
compared with the one-pass render of the whole HTML; "first" is the first call in the process (fontconfig's font
list and the font files' identities are read once per process), "warm" the median of the following calls
(wall clock, and the process's CPU time, which other load on the machine disturbs less)."""
import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneeval.settings")
os.environ.setdefault("DEBUG", "1")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)  # the TOC's links to other pieces' anchors

    from tests.print_pieces import merge, split_print_html
    from zoneeval.assembly.pdf_fonts import share_font_subsets
    from zoneeval.assembly.render import document_html, render_pdf

    snapshot = json.loads((ROOT / "zoneeval" / "samples" / "keihin-fy2019.json").read_text(encoding="utf-8"))
    html = document_html(snapshot)
    one_pass = render_pdf({}, html=html).pdf
    figures = {"one_pass_bytes": len(one_pass)}
    first = True
    for label, fine in (("3_pieces", False), ("12_pieces", True)):
        pieces = split_print_html(html, fine=fine)
        merged = merge([render_pdf({}, html=piece).pdf for piece in pieces])
        times, cpu = [], []
        for _ in range(args.runs + (1 if first else 0)):
            started, started_cpu = time.perf_counter(), time.process_time()
            shared = share_font_subsets(merged)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        if first:
            figures["share_seconds_first_call"] = round(times.pop(0), 4)
            cpu.pop(0)
            first = False
        figures[label] = {
            "pieces": len(pieces), "merged_bytes": len(merged), "shared_bytes": len(shared),
            "merged_ratio": round(len(merged) / len(one_pass), 3), "shared_ratio": round(len(shared) / len(one_pass), 3),
            "share_seconds_warm_median": round(statistics.median(times), 4),
            "share_seconds_warm_max": round(max(times), 4),
            "share_cpu_seconds_warm_median": round(statistics.median(cpu), 4),
        }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"one-pass PDF: {figures['one_pass_bytes']} B")
    print(f"first call in the process: {figures['share_seconds_first_call']:.3f} s")
    for label in ("3_pieces", "12_pieces"):
        row = figures[label]
        print(f"{row['pieces']:>2} pieces: merged {row['merged_bytes']} B ({row['merged_ratio']:.2f}x), shared "
              f"{row['shared_bytes']} B ({row['shared_ratio']:.2f}x); share_font_subsets warm median "
              f"{row['share_seconds_warm_median']:.3f} s (max {row['share_seconds_warm_max']:.3f} s, CPU "
              f"{row['share_cpu_seconds_warm_median']:.3f} s)")


if __name__ == "__main__":
    main()
