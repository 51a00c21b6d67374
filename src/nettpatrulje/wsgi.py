import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettpatrulje.settings")
application = get_wsgi_application()

# Every view module imported now, not on a first request, and then everything
# loaded at start-up (about 100,000 objects) moved out of the garbage
# collector's sight. A full collection otherwise walks them all: a pause of up
# to 100 ms on this machine, in the p99 of webhook acknowledgements
# (bench/ingest.py); after the freeze it takes microseconds.
get_resolver().url_patterns  # noqa: B018
gc.freeze()
