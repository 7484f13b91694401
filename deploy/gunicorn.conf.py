"""gunicorn settings for the web process: ``gunicorn zoneeval.wsgi -c deploy/gunicorn.conf.py``.

Read from the environment (docs/configuration.md): PORT (8000), WEB_CONCURRENCY (2 worker processes; about one per
core, each holds its own database connection), GUNICORN_TIMEOUT (60 s), FORWARDED_ALLOW_IPS.
"""
import os

from zoneeval.logs import logging_config

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request that takes longer than this (seconds) is killed and its worker restarted. Rendering is not done by the
# web (it runs on the Celery "render" queue), so requests are short; the longest are exports and downloads.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5  # behind a load balancer, keep its connections a little
# Django writes one line per request with its request id (zoneeval.logs); gunicorn's own access log would be a
# second, id-less line for the same request, so it is off. Errors go to stderr like the rest of the logs.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's own lines (start, worker restarts, timeouts) in the same format as the application's (LOG_FORMAT).
logconfig_dict = logging_config(loglevel, os.environ.get("LOG_FORMAT", "text"), extra_loggers={
    "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
})
# The addresses whose X-Forwarded-Proto / X-Forwarded-For gunicorn trusts: the reverse proxy or load balancer in
# front of the web hosts. Default: loopback only (a proxy on the same host). With a load balancer on another host,
# set FORWARDED_ALLOW_IPS to its address(es), comma-separated ("*" only when nothing else can reach the port).
# Django then sees the original scheme (SECURE_PROXY_SSL_HEADER) and does not redirect https requests again.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The application is loaded by each worker, not preloaded in the master, so that a reload (HUP, `systemctl reload
# zoneeval-web`) after a deployment starts workers on the new code while the old ones finish their requests.
preload_app = False
# gunicorn's control socket (gunicornc) would be one fixed path per user (~/.gunicorn/gunicorn.ctl), shared by every
# gunicorn of that user on the host; systemd (reload = HUP, stop = TERM) does its job, so it is off.
control_socket_disable = True
