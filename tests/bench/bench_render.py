"""Benchmark of assembly and rendering. Prints figures; asserts nothing (speed is measured here, not in tests).

    .venv/bin/python tests/bench/bench_render.py [--runs 3]

It uses a throw-away SQLite database with the FY2019 sample (set DATABASE_URL to measure on PostgreSQL instead).
Chromium (/usr/bin/chromium --print-to-pdf) renders the same HTML for comparison."""
import argparse
import json
import os
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
if "DATABASE_URL" not in os.environ:
    os.environ["ZONEEVAL_VAR_DIR"] = tempfile.mkdtemp(prefix="zoneeval-bench-")

COLD = """
import os, sys, time, json
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneeval.settings")
started = time.perf_counter()
import django; django.setup()
from zoneeval.assembly.render import render_pdf
snapshot = json.load(open({sample!r}, encoding="utf-8"))
imported = time.perf_counter()
result = render_pdf(snapshot)
print(json.dumps({{"render": result.seconds, "process": time.perf_counter() - started,
                  "imports": imported - started}}))
"""


def median(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from zoneeval.assembly.render import document_html, render_pdf, stylesheets
    from zoneeval.assembly.validations import validate
    from zoneeval.reports.interchange.export import edition_snapshot
    from zoneeval.reports.interchange.importer import import_document
    from zoneeval.reports.selectors import current_edition

    sample_path = ROOT / "zoneeval" / "samples" / "keihin-fy2019.json"
    call_command("migrate", verbosity=0)
    sample = json.loads(sample_path.read_text(encoding="utf-8"))
    edition = current_edition("keihin", 2019) or import_document(sample)

    # Cold: a new process renders once (Python imports, fonts, CSS parsing included in "process").
    cold = []
    for _ in range(max(1, args.runs - 1)):
        out = subprocess.run([sys.executable, "-c", COLD.format(root=str(ROOT), sample=str(sample_path))],
                             capture_output=True, text=True, env=os.environ, check=True).stdout
        cold.append(json.loads(out.strip().splitlines()[-1]))

    # Assemble + validate, as the pipeline does (from the database).
    edition_snapshot(edition)
    assemble_validate = []
    for _ in range(10):
        started = time.perf_counter()
        snapshot = edition_snapshot(edition)
        validate(snapshot)
        assemble_validate.append(time.perf_counter() - started)

    # Warm: the same long-lived process renders again (as a worker does).
    stylesheets()
    render_pdf(snapshot)
    warm, layout, write, untagged, untagged_write = [], [], [], [], []
    for _ in range(args.runs):  # tagged (PDF/UA-1, as rendered) and untagged, taking turns
        result = render_pdf(snapshot)
        warm.append(result.seconds)
        layout.append(result.timings["layout"])
        write.append(result.timings["write"])
        plain = render_pdf(snapshot, pdf_variant=None)
        untagged.append(plain.seconds)
        untagged_write.append(plain.timings["write"])

    # One section changes (part 7), then the whole document is rendered again.
    changed = json.loads(json.dumps(snapshot))
    changed["parts"]["part7"]["overall"]["text"] += "<p>追記：ベンチマークのための一文。</p>"
    rerender = []
    for _ in range(args.runs):
        started = time.perf_counter()
        render_pdf(changed)
        rerender.append(time.perf_counter() - started)

    # Chromium on the same HTML (stylesheets inlined, since it is given a file).
    html = document_html(snapshot)
    css = "".join((settings.BASE_DIR / "static" / "css" / name).read_text(encoding="utf-8")
                  for name in ("app.css", "print.css"))
    html = html.replace("</head>", f"<style>{css}</style></head>", 1)
    chromium_times, chromium_pages, chromium_size = [], None, None
    chromium = "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        if Path(chromium).exists():
            for n in range(args.runs):
                pdf_path = Path(folder) / f"chromium-{n}.pdf"
                started = time.perf_counter()
                subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                "--disable-background-networking", "--no-first-run", "--disable-component-update",
                                "--disable-sync", f"--user-data-dir={folder}/profile", "--no-pdf-header-footer",
                                f"--print-to-pdf={pdf_path}", page.as_uri()],
                               capture_output=True, timeout=300)
                chromium_times.append(time.perf_counter() - started)
            chromium_size = pdf_path.stat().st_size
            info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True).stdout
            chromium_pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")

    ms = lambda s: f"{s * 1000:,.0f} ms"  # noqa: E731
    print(f"zoneeval render benchmark — {os.cpu_count()} CPUs, database {settings.DATABASES['default']['ENGINE']}")
    print(f"  pages                               {result.pages}")
    print(f"  PDF size                            {len(result.pdf):,} bytes")
    print(f"  cold render (new process)           {ms(median([c['render'] for c in cold]))}"
          f"   (whole process incl. imports: {ms(median([c['process'] for c in cold]))})")
    print(f"  warm render, tagged (PDF/UA-1)      {ms(median(warm))}"
          f"   (layout {ms(median(layout))}, PDF writing {ms(median(write))})")
    print(f"  same, untagged (pdf_variant=None)   {ms(median(untagged))}"
          f"   (PDF writing {ms(median(untagged_write))}; {len(plain.pdf):,} bytes)")
    print(f"  re-render after one section change  {ms(median(rerender))}   (target ≤ 500 ms)")
    print(f"  assemble + validate                 {ms(median(assemble_validate))}   (target ≤ 100 ms)")
    if chromium_times:
        ratio = median(warm) / median(chromium_times)
        print(f"  Chromium --print-to-pdf, same HTML  {ms(median(chromium_times))}"
              f"   ({chromium_pages} pages, {chromium_size:,} bytes; process start included)")
        print(f"  ratio warm WeasyPrint / Chromium    {ratio:.2f}   (target ≤ 1.00)")
    else:
        print("  Chromium not installed (apt-get install chromium) — comparison skipped")


if __name__ == "__main__":
    main()
