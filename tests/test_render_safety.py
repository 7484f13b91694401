"""Report text is user input: rendering fetches nothing outside the project and executes nothing."""
import copy
import http.server
import threading

import pytest

from zoneeval.assembly.render import document_html, render_pdf
from zoneeval.assembly.url_fetcher import SafeURLFetcher
from zoneeval.reports.interchange.export import edition_snapshot
from zoneeval.reports.interchange.importer import import_document


@pytest.fixture
def web_server():
    """A local HTTP server that counts the requests it receives."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def _hostile(base_url: str) -> str:
    return (
        '<p>前文<img src="file:///etc/passwd"><img src="' + base_url + '/tracker.png">'
        '<span style="background: url(file:///etc/shadow)">背景</span>'
        '<script>document.write("EXECUTED")</script><style>p { background: url(' + base_url + '/css.png) }</style>'
        '<iframe src="' + base_url + '/frame"></iframe><a href="javascript:alert(1)">リンク</a>後文</p>'
    )


@pytest.mark.django_db
def test_hostile_content_in_a_part_is_neither_fetched_nor_executed(sample, web_server, tmp_path):
    base_url, hits = web_server
    doc = copy.deepcopy(sample)
    doc["parts"]["part6"]["passages"][2]["text"] = _hostile(base_url)
    doc["parts"]["annex4"]["other"][1]["result"] = _hostile(base_url)
    edition = import_document(doc)
    snapshot = edition_snapshot(edition)
    html = document_html(snapshot)
    assert "file:///" not in html and base_url not in html and "<script" not in html and "javascript:" not in html
    result = render_pdf(snapshot, html)
    assert result.pdf.startswith(b"%PDF") and result.pages > 20
    assert hits == [] and result.refused_urls == []
    assert b"EXECUTED" not in result.pdf and b"root:" not in result.pdf


def test_the_fetcher_refuses_local_files_network_and_redirects_even_in_raw_html(web_server, tmp_path):
    """Defence in depth: HTML that bypassed the sanitiser still reaches nothing."""
    base_url, hits = web_server
    html = ('<html lang="ja"><head><style>body { background: url(file:///etc/hostname) }'
            '@import url(' + base_url + '/x.css);</style>'
            '<link rel="stylesheet" href="' + base_url + '/y.css"></head><body>'
            + _hostile(base_url) + '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk'
            '+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="><img src="file:///work/../etc/passwd"></body></html>')
    result = render_pdf({}, html)
    assert result.pdf.startswith(b"%PDF")
    assert hits == []
    refused = " ".join(result.refused_urls)
    for url in ("file:///etc/passwd", "file:///etc/shadow", "file:///etc/hostname", f"{base_url}/tracker.png",
                f"{base_url}/y.css"):
        assert url in refused, url


def test_the_fetcher_serves_only_data_urls_and_allowed_files(settings):
    fetcher = SafeURLFetcher()
    css = settings.BASE_DIR / "static" / "css" / "app.css"
    response = fetcher.fetch(css.as_uri())
    assert b"zoneeval" in response.read()
    assert fetcher.fetch("data:text/plain;base64,5pel5pys").read() == "日本".encode()
    for url in ("file:///etc/passwd", css.as_uri().replace("app.css", "../../manage.py"),
                "http://127.0.0.1:9/x", "https://example.org/x", "ftp://example.org/x", "file://remote-host/etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6
