"""Benchmark of assembly and rendering, FY2019 sample. Prints figures; asserts nothing (speed is measured here, not in
tests).

    .venv/bin/python tests/bench/bench_render.py [--runs 5] [--workers 2] [--json] [--profile]

From one run, interleaved (each round: one pass, pieces in parallel, Chromium, then the edits), medians:

- one-pass render: render.render_pdf, tagged (PDF/UA-1) as the submitted edition's final PDF; untagged alongside;
- piece-parallel render: plan → the pieces rendered by ``--workers`` warm processes (a multiprocessing pool calling
  pieces.render_piece, as the render queue's workers do; cold piece cache: a new artefact folder each round) → assemble
  (TOC, merge, stamp, shared font subsets) in this process;
- Chromium ``--print-to-pdf`` on the same HTML (stylesheets inlined; process start included), and each ratio;
- re-render after editing a part 7 passage, a 別紙4 row, a 別紙3 cell, a schedule row (warm piece cache:
  render_in_pieces lays out only the changed piece, then the TOC and the merge);
- merged and one-pass PDF sizes; a cold render in a new process; assemble + validate from the database.

``--profile``: cProfile of the costliest piece's render and of the merge (assemble), top functions by own time.
Bounded: about 2 minutes with the defaults on 2 cores. It uses a throw-away SQLite database (set DATABASE_URL to
measure on PostgreSQL instead)."""
import argparse
import cProfile
import dataclasses
import io
import json
import multiprocessing
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneeval.settings")
os.environ.setdefault("DEBUG", "1")  # a measuring tool, run like the demo (the cold-start child inherits it)
if "DATABASE_URL" not in os.environ and "ZONEEVAL_VAR_DIR" not in os.environ:
    os.environ["ZONEEVAL_VAR_DIR"] = tempfile.mkdtemp(prefix="zoneeval-bench-")
SAMPLE = ROOT / "zoneeval" / "samples" / "keihin-fy2019.json"
CHROMIUM = "/usr/bin/chromium"

COLD = """
import os, sys, time, json
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneeval.settings")
started = time.perf_counter()
import django; django.setup()
from zoneeval.assembly.render import render_pdf
from zoneeval.reports.figures import derive
snapshot = json.load(open({sample!r}, encoding="utf-8"))
snapshot["derived"] = derive(snapshot)
imported = time.perf_counter()
result = render_pdf(snapshot)
print(json.dumps({{"render": result.seconds, "process": time.perf_counter() - started,
                  "imports": imported - started}}))
"""


def _snapshot() -> dict:
    from zoneeval.reports.figures import derive

    snapshot = json.loads(SAMPLE.read_text(encoding="utf-8"))
    snapshot["derived"] = derive(snapshot)
    return snapshot


# --- the pool of warm render processes -----------------------------------------------------------------------------

def _warm_worker() -> None:
    """A render process as a render worker is after its first task: Django set up, fonts and stylesheets loaded,
    every piece laid out once (in a folder of its own, so the measured renders find nothing cached)."""
    import django

    django.setup()
    from django.test import override_settings

    from zoneeval.assembly import pieces

    with override_settings(ARTEFACT_DIR=tempfile.mkdtemp(prefix="zoneeval-bench-warm-")):
        for piece in pieces.plan(_snapshot()):
            pieces.render_piece(piece)


def _render_piece(job):
    from django.test import override_settings

    from zoneeval.assembly import pieces

    folder, fields = job
    with override_settings(ARTEFACT_DIR=folder):
        result = pieces.render_piece(pieces.Piece(*fields))
    return result, os.getpid()


def _parallel(pool, snapshot: dict, folder: str):
    """plan → the pieces in the pool (costliest first, as they come) → assemble here. The seconds and the PDF."""
    from django.test import override_settings

    from zoneeval.assembly import pieces

    with override_settings(ARTEFACT_DIR=folder):
        started = time.perf_counter()
        planned = pieces.plan(snapshot)
        jobs = [(folder, dataclasses.astuple(p)) for p in sorted(pieces.to_render(planned), key=lambda p: -len(p.html))]
        rendered_now = [result for result, _ in pool.imap_unordered(_render_piece, jobs)]
        rendered = time.perf_counter()
        merged = pieces.assemble(snapshot, pieces.collect(planned, rendered_now))
        seconds = time.perf_counter() - started
    return seconds, rendered - started, merged


def _chromium(html: str, folder: Path, n: int) -> tuple[float, Path]:
    pdf_path = folder / f"chromium-{n}.pdf"
    page = folder / "report.html"
    if not page.exists():
        page.write_text(html, encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-first-run", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={folder}/profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}",
                    page.as_uri()], capture_output=True, timeout=120)
    return time.perf_counter() - started, pdf_path


# WeasyPrint's stages (cumulative time of the function that does each) and Pango's line breaking inside layout.
STAGES = [("HTML parse", "weasyprint/__init__.py", "__init__", 158),
          ("CSS cascade (StyleFor)", "css/__init__.py", "__init__", 62),
          ("box tree", "build.py", "build_formatting_structure", None),
          ("layout", "layout/__init__.py", "layout_document", None),
          ("of which Pango line breaking", "text/line_break.py", "split_first_line", None),
          ("drawing + PDF", "weasyprint/document.py", "write_pdf", None),
          ("pikepdf save", "pikepdf/_methods.py", "save", None),
          ("shared font subsets", "assembly/pdf_fonts.py", "share_font_subsets", None)]


def _profile(function, top: int = 10) -> str:
    profile = cProfile.Profile()
    profile.runcall(function)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    total = sum(row[2] for row in stats.stats.values())
    by_own = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]
    stages = []
    for label, path, name, line in STAGES:
        cumulative = sum(row[3] for (filename, number, function_name), row in stats.stats.items()
                         if filename.endswith(path) and function_name == name and line in (None, number))
        if cumulative:
            stages.append(f"{label} {cumulative:.3f} s")
    lines = [f"    total {total:.3f} s (profiled, cProfile overhead included); by stage (cumulative): "
             + ", ".join(stages), "    top functions by own time:"]
    for (filename, line, name), (_, calls, own, cumulative, _) in by_own:
        where = "/".join(Path(filename).parts[-2:]) if filename != "~" else "builtin"
        lines.append(f"    {own:7.3f} s own {cumulative:7.3f} s cum {calls:8d}×  {where}:{line} {name}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (medians of these)")
    parser.add_argument("--budget", type=float, default=200, help="no new round after this many seconds (≥ 2 rounds)")
    parser.add_argument("--workers", type=int, default=2, help="warm render processes for the pieces")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    bench_started = time.perf_counter()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    from tests.bench.bench_pieces import _edits
    from zoneeval.assembly import pieces
    from zoneeval.assembly.render import document_html, render_pdf, stylesheets
    from zoneeval.assembly.validations import validate
    from zoneeval.reports.interchange.export import edition_snapshot
    from zoneeval.reports.interchange.importer import import_document
    from zoneeval.reports.selectors import current_edition

    # The pool starts warming up while this process does the rest of its set-up.
    pool = multiprocessing.get_context("spawn").Pool(args.workers, initializer=_warm_worker)

    call_command("migrate", verbosity=0)
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    edition = current_edition("keihin", 2019) or import_document(sample)

    # Cold: a new process renders once (Python imports, fonts, CSS parsing included in "process").
    cold = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", COLD.format(root=str(ROOT), sample=str(SAMPLE))],
                             capture_output=True, text=True, env=os.environ, check=True).stdout
        cold.append(json.loads(out.strip().splitlines()[-1]))

    # Assemble + validate, as the pipeline does (from the database).
    edition_snapshot(edition)
    assemble_validate = []
    for _ in range(10):
        started = time.perf_counter()
        validate(edition_snapshot(edition))
        assemble_validate.append(time.perf_counter() - started)

    snapshot = _snapshot()
    stylesheets()
    render_pdf(snapshot)  # this process warm too
    pool.map(int, range(args.workers * 4))  # every pool process warmed up
    html = document_html(snapshot)  # Chromium on the same HTML (stylesheets inlined, since it is given a file)
    css = "".join((settings.BASE_DIR / "static" / "css" / name).read_text(encoding="utf-8")
                  for name in ("app.css", "print.css"))
    html = html.replace("</head>", f"<style>{css}</style></head>", 1)
    have_chromium = Path(CHROMIUM).exists()

    edits = lambda n: {**_edits(snapshot, n), **_edits(snapshot, n, lines=True)}  # noqa: E731
    f = {"one_pass": [], "one_pass_layout": [], "one_pass_write": [], "untagged": [], "parallel": [],
         "parallel_pieces": [], "toc": [], "merge": [], "parallel_cut": [], "parallel_cut_pieces": [],
         "merge_cut": [], "chromium": [], "edits": {name: [] for name in edits(0)}, "edited_pieces": {},
         "edit_parts": {}}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for n in range(args.runs):
            if n >= 2 and time.perf_counter() - bench_started > args.budget:
                break  # bounded: a loaded machine measures fewer rounds
            one = render_pdf(snapshot)  # tagged, as the final
            f["one_pass"].append(one.seconds)
            f["one_pass_layout"].append(one.timings["layout"])
            f["one_pass_write"].append(one.timings["write"])
            folder = str(scratch / f"store-{n}")  # a cold piece cache, no cuts known: an edition's first render
            seconds, pieces_seconds, merged = _parallel(pool, snapshot, folder)
            f["parallel"].append(seconds)
            f["parallel_pieces"].append(pieces_seconds)
            f["toc"].append(merged.timings["toc"])
            f["merge"].append(merged.timings["merge"])
            # a cold piece cache, the cuts of the render before known: the long pieces cut, every sub-piece laid out
            cut_folder = str(scratch / f"store-{n}-cut")
            shutil.copytree(Path(folder) / pieces.PIECES_DIR / "hints", Path(cut_folder) / pieces.PIECES_DIR / "hints")
            seconds, pieces_seconds, merged_cut = _parallel(pool, snapshot, cut_folder)
            f["parallel_cut"].append(seconds)
            f["parallel_cut_pieces"].append(pieces_seconds)
            f["merge_cut"].append(merged_cut.timings["merge"])
            if have_chromium:
                chromium_seconds, chromium_pdf = _chromium(html, scratch, n)
                f["chromium"].append(chromium_seconds)
            plain = render_pdf(snapshot, pdf_variant=None)
            f["untagged"].append(plain.seconds)
            with override_settings(ARTEFACT_DIR=cut_folder):  # this round's sub-pieces cached: the edit's re-render
                for name, edit in edits(n).items():
                    changed = json.loads(json.dumps(snapshot))
                    edit(changed)
                    started = time.perf_counter()
                    again = pieces.render_in_pieces(changed)
                    f["edits"][name].append(time.perf_counter() - started)
                    f["edit_parts"].setdefault(name, []).append(
                        {part: again.timings[part] for part in ("plan", "pieces", "toc", "merge")})
                    f["edited_pieces"][name] = again.timings["rendered"] + (
                        ["TOC (cached)"] if again.timings["toc_cached"] else ["TOC"])
        chromium_size = chromium_pdf.stat().st_size if have_chromium else None

    profiles = {}
    if args.profile:
        with override_settings(ARTEFACT_DIR=tempfile.mkdtemp(prefix="zoneeval-bench-profile-")):
            planned = pieces.plan(snapshot)
            results = [pieces.render_piece(piece) for piece in planned]
            costliest = max(results, key=lambda r: r.seconds)
            piece = next(p for p in planned if p.name == costliest.name)
            with override_settings(ARTEFACT_DIR=tempfile.mkdtemp(prefix="zoneeval-bench-profile-")):
                profiles[f"piece {piece.name}"] = _profile(lambda: pieces.render_piece(piece))
            profiles["merge (assemble: TOC, merge, stamp, fonts)"] = _profile(lambda: pieces.assemble(snapshot, results))
    pool.close()
    pool.join()

    median = statistics.median
    summary = {
        "runs": len(f["one_pass"]), "workers": args.workers, "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
        "pages": one.pages, "merged_pages": merged.pages,
        "one_pass_s": median(f["one_pass"]), "one_pass_layout_s": median(f["one_pass_layout"]),
        "one_pass_write_s": median(f["one_pass_write"]), "one_pass_untagged_s": median(f["untagged"]),
        "pieces_parallel_s": median(f["parallel"]), "pieces_parallel_pieces_s": median(f["parallel_pieces"]),
        "toc_s": median(f["toc"]), "merge_s": median(f["merge"]),
        "pieces_parallel_cut_s": median(f["parallel_cut"]), "pieces_parallel_cut_pieces_s": median(f["parallel_cut_pieces"]),
        "merge_cut_s": median(f["merge_cut"]),
        "chromium_s": median(f["chromium"]) if f["chromium"] else None,
        "rerender_s": {name: median(values) for name, values in f["edits"].items()},
        "rerendered_pieces": f["edited_pieces"],
        "rerender_parts_s": {name: {part: median([r[part] for r in rounds]) for part in rounds[0]}
                             for name, rounds in f["edit_parts"].items()},
        "one_pass_bytes": len(one.pdf), "one_pass_untagged_bytes": len(plain.pdf), "merged_bytes": len(merged.pdf),
        "chromium_bytes": chromium_size,
        "cold_render_s": median([c["render"] for c in cold]), "cold_process_s": median([c["process"] for c in cold]),
        "assemble_validate_s": median(assemble_validate),
    }
    if f["chromium"]:
        summary["one_pass_over_chromium"] = summary["one_pass_s"] / summary["chromium_s"]
        summary["pieces_over_chromium"] = summary["pieces_parallel_s"] / summary["chromium_s"]
        summary["cut_pieces_over_chromium"] = summary["pieces_parallel_cut_s"] / summary["chromium_s"]
    summary["bench_s"] = time.perf_counter() - bench_started
    if args.json:
        print(json.dumps({**summary, "profiles": profiles}, ensure_ascii=False, indent=1))
        return
    ms = lambda s: f"{s * 1000:,.0f} ms"  # noqa: E731
    s = summary
    print(f"zoneeval render benchmark — FY2019 sample, {s['pages']} pages, {s['cpus']} CPUs, load {s['load_average']:.1f},"
          f" medians of {s['runs']} interleaved rounds, database {settings.DATABASES['default']['ENGINE']}")
    print(f"  one pass, tagged (as the final)      {ms(s['one_pass_s'])}"
          f"   (layout {ms(s['one_pass_layout_s'])}, PDF writing {ms(s['one_pass_write_s'])})")
    print(f"  one pass, untagged                   {ms(s['one_pass_untagged_s'])}")
    print(f"  pieces in parallel, cold cache       {ms(s['pieces_parallel_s'])}   ({s['workers']} warm processes:"
          f" plan + pieces {ms(s['pieces_parallel_pieces_s'])}, TOC {ms(s['toc_s'])}, merge {ms(s['merge_s'])})")
    print(f"  the same, cuts known (sub-pieces)    {ms(s['pieces_parallel_cut_s'])}   (plan + pieces"
          f" {ms(s['pieces_parallel_cut_pieces_s'])}, merge {ms(s['merge_cut_s'])})")
    if f["chromium"]:
        print(f"  Chromium --print-to-pdf, same HTML   {ms(s['chromium_s'])}   (process start included)")
        print(f"  one pass ÷ Chromium                  {s['one_pass_over_chromium']:.2f}")
        print(f"  pieces in parallel ÷ Chromium        {s['pieces_over_chromium']:.2f}   (goal ≤ 1.00)")
        print(f"  sub-pieces in parallel ÷ Chromium    {s['cut_pieces_over_chromium']:.2f}   (goal ≤ 1.00)")
    else:
        print("  Chromium not installed (apt-get install chromium) — comparison skipped")
    for name, seconds in s["rerender_s"].items():
        parts = s["rerender_parts_s"][name]
        print(f"  re-render after editing a {name:<27}{ms(seconds)}   (goal ≤ 500 ms; laid out again:"
              f" {', '.join(s['rerendered_pieces'][name])}; plan {ms(parts['plan'])}, pieces {ms(parts['pieces'])},"
              f" TOC {ms(parts['toc'])}, merge {ms(parts['merge'])})")
    print(f"  sizes: one pass {s['one_pass_bytes']:,} B (untagged {s['one_pass_untagged_bytes']:,} B), merged"
          f" {s['merged_bytes']:,} B ({s['merged_bytes'] / s['one_pass_bytes']:.2f}×)"
          + (f", Chromium {s['chromium_bytes']:,} B" if s["chromium_bytes"] else ""))
    print(f"  cold render (new process)            {ms(s['cold_render_s'])}"
          f"   (whole process incl. imports: {ms(s['cold_process_s'])})")
    print(f"  assemble + validate                  {ms(s['assemble_validate_s'])}   (goal ≤ 100 ms)")
    for name, text in profiles.items():
        print(f"  cProfile, {name}:\n{text}")
    print(f"  (benchmark ran {s['bench_s']:.0f} s)")


if __name__ == "__main__":
    main()
