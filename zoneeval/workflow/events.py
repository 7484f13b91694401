"""Signals the workflow sends for the apps above it (they listen; the workflow never imports them).

``signed_by_all``: every co-author has signed the assembled version ``content_hash`` of ``edition`` (sent after the
sign-off has committed). The assembly app renders the submitted PDF then, on the render queue, so that submitting
finds it ready and no web process renders."""
from django.dispatch import Signal

signed_by_all = Signal()  # kwargs: edition, run_id, content_hash
