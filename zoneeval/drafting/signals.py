"""Signals of the drafting app, for the apps above it (which drafting never imports)."""
from django.dispatch import Signal

# A revision of an item was recorded (inside the writing transaction), with ``part``, ``user`` and ``revision``:
# the workflow writes its audit entry and applies what a change of content does to the part.
revision_recorded = Signal()
