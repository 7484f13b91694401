"""Benchmark of the PDF in pieces (zoneeval/assembly/pieces.py) against the one-pass render, FY2019 sample, one warm
process, interleaved runs. Prints figures; asserts nothing.

    .venv/bin/python tests/bench/bench_pieces.py [--runs 3] [--json]

one pass (tagged, as render_final; untagged for comparison) · pieces with a cold cache (an empty artefact store,
pieces rendered one after another) · pieces with a warm cache after editing a part 7 passage, a 別紙4 row, a 別紙3 cell,
a schedule row · the TOC render and the merge + stamp inside assemble · each piece's render time · sizes."""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneeval.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["ZONEEVAL_VAR_DIR"] = tempfile.mkdtemp(prefix="zoneeval-bench-pieces-")


def _retype(html: str, n: int) -> str:
    """The last character of the first paragraph typed again as another (a full-width digit, by the run number):
    the text changes, its length and so its lines do not (the usual edit: a figure, a word)."""
    end = html.find("</p>")
    return html[:end - 1] + "０１２３４５６７８９"[n % 10] + html[end:]


def _edits(snapshot: dict, n: int, lines: bool = False) -> dict:
    """Each edit as a function of the run number (a new text each run, so that the edited piece is not cached).
    ``lines``: each adds a paragraph instead (a page break after it may move: the whole piece is laid out)."""
    parts = snapshot["parts"]

    def change(container: dict, key: str):
        if lines:
            container[key] += f"<p>追記{n}：ベンチマークのための一文。</p>"
        else:
            container[key] = _retype(container[key], n)

    def passage(s):
        change(s["parts"]["part7"]["overall"], "text")

    def annex4_row(s):
        change(s["parts"]["annex4"]["fiscal"][0], "result")

    def annex3_cell(s):
        change(s["parts"]["annex3"]["fiscal"][0], "remarks")

    def schedule_row(s):
        s["parts"]["annex1_2"]["projects"][-1]["items"][-1]["text"] += f"（{n}）"

    assert parts["annex4"]["fiscal"] and parts["annex3"]["fiscal"] and parts["annex1_2"]["projects"]
    edits = {"part 7 passage": passage, "別紙4 row": annex4_row, "別紙3 cell": annex3_cell}
    if lines:
        return {f"{name} (+1 line)": edit for name, edit in edits.items()}
    return {**edits, "schedule row": schedule_row}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.test import override_settings

    from zoneeval.assembly import pieces
    from zoneeval.assembly.render import render_pdf
    from zoneeval.reports.figures import derive

    snapshot = json.loads((ROOT / "zoneeval" / "samples" / "keihin-fy2019.json").read_text(encoding="utf-8"))
    snapshot["derived"] = derive(snapshot)
    render_pdf(snapshot)  # warm: fonts, stylesheets
    figures = {"one_pass_tagged": [], "one_pass_untagged": [], "pieces_cold": [], "toc": [], "merge_stamp": [],
               "edits": {name: [] for name in _edits(snapshot, 0)}, "piece_seconds": {}}
    for run in range(args.runs):
        one = render_pdf(snapshot)
        figures["one_pass_tagged"].append(one.seconds)
        figures["one_pass_untagged"].append(render_pdf(snapshot, pdf_variant=None).seconds)
        with override_settings(ARTEFACT_DIR=tempfile.mkdtemp(prefix="cold-")):
            started = time.perf_counter()
            results = [pieces.render_piece(piece) for piece in pieces.plan(snapshot)]
            merged = pieces.assemble(snapshot, results)
            figures["pieces_cold"].append(time.perf_counter() - started)
            figures["toc"].append(merged.timings["toc"])
            figures["merge_stamp"].append(merged.timings["merge"])
            for result in results:
                figures["piece_seconds"].setdefault(result.name, []).append(result.seconds)
            for name, edit in _edits(snapshot, run).items():
                changed = json.loads(json.dumps(snapshot))
                edit(changed)
                started = time.perf_counter()
                again = pieces.render_in_pieces(changed)
                figures["edits"][name].append((time.perf_counter() - started, again.timings["rendered"]))
    median = statistics.median
    summary = {
        "pages": one.pages,
        "one_pass_tagged_s": median(figures["one_pass_tagged"]),
        "one_pass_untagged_s": median(figures["one_pass_untagged"]),
        "pieces_cold_sequential_s": median(figures["pieces_cold"]),
        "toc_s": median(figures["toc"]),
        "merge_stamp_s": median(figures["merge_stamp"]),
        "rerender_s": {name: median([s for s, _ in runs]) for name, runs in figures["edits"].items()},
        "rerendered_pieces": {name: runs[-1][1] for name, runs in figures["edits"].items()},
        "piece_s": {name: median(values) for name, values in figures["piece_seconds"].items()},
        "one_pass_bytes": len(one.pdf),
        "pieces_bytes": len(merged.pdf),
        "shared_font_subsets": pieces.share_font_subsets is not None,
        "load_average": os.getloadavg(),
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return
    ms = lambda s: f"{s * 1000:,.0f} ms"  # noqa: E731
    print(f"PDF in pieces, FY2019 sample ({summary['pages']} pages), median of {args.runs} interleaved runs,"
          f" {os.cpu_count()} CPUs, load {summary['load_average'][0]:.1f}")
    print(f"  one pass, tagged (render_final)     {ms(summary['one_pass_tagged_s'])}")
    print(f"  one pass, untagged                  {ms(summary['one_pass_untagged_s'])}")
    print(f"  pieces (tagged), cold, sequential   {ms(summary['pieces_cold_sequential_s'])}")
    print(f"    of which TOC render               {ms(summary['toc_s'])}")
    print(f"    of which merge + stamp + outline  {ms(summary['merge_stamp_s'])}")
    for name, seconds in summary["rerender_s"].items():
        print(f"  re-render after editing a {name}: {ms(seconds)}   ({', '.join(summary['rerendered_pieces'][name])})")
    print("  pieces: " + ", ".join(f"{name} {ms(s)}" for name, s in summary["piece_s"].items()))
    print(f"  sizes: one pass {summary['one_pass_bytes']:,} B, pieces {summary['pieces_bytes']:,} B"
          f" ({summary['pieces_bytes'] / summary['one_pass_bytes']:.2f}×, shared font subsets:"
          f" {summary['shared_font_subsets']})")


if __name__ == "__main__":
    main()
