"""Signals of the reports app, for the apps above it (which the reports app never imports)."""
from django.dispatch import Signal

# A whole edition was written in bulk (an import): sent inside the import's transaction with ``edition``. Bulk
# creates send no post_save, so whoever keeps something per item (drafting's parts) does it here.
edition_loaded = Signal()
