"""gunicorn settings for the web process: `gunicorn zoneeval.wsgi -c deploy/gunicorn.conf.py` (minimal; see README
"Production"). PORT: the port to listen on (8000); WEB_CONCURRENCY: worker processes (2)."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
