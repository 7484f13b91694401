"""The only way the PDF renderer reaches anything outside the HTML it is given.

Report text is user input, so rendering fetches nothing from the network and no local file but the project's own
static files and the system's font folders: ``data:`` URLs and ``file:`` URLs under those roots, no redirects."""
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


def allowed_roots() -> tuple[Path, ...]:
    static_dirs = tuple(Path(d).resolve() for d in settings.STATICFILES_DIRS)
    return static_dirs + tuple(p.resolve() for p in FONT_ROOTS if p.exists())


class SafeURLFetcher(URLFetcher):
    """Serves ``data:`` URLs and files under the allowed roots; refuses everything else (and remembers it)."""

    def __init__(self):
        super().__init__(timeout=1, allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = allowed_roots()
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            self.served.append(url[:40])
            return super().fetch(url, headers)
        if scheme == "file":
            parsed = urlparse(url)
            if parsed.netloc not in ("", "localhost"):
                return self._refuse(url)
            path = Path(unquote(parsed.path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                self.served.append(str(path))
                return URLFetcherResponse(url, body=path.read_bytes(), headers=_content_type(path))
        return self._refuse(url)

    def _refuse(self, url):
        self.refused.append(url)
        raise ValueError(f"zoneeval refuses to fetch {url!r} while rendering")


def _content_type(path: Path) -> dict:
    types = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
             ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
    return {"Content-Type": types.get(path.suffix.lower(), "application/octet-stream")}
