import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettpatrulje.settings")
application = get_wsgi_application()

# Every view module imported now, not on a first request, and then everything
# loaded at start-up (about 100,000 objects) moved out of the garbage
# collector's sight. A full collection otherwise walks them all: a pause of 30
# to 100 ms on this machine, every hundred or so inbox requests and in the p99
# of webhook acknowledgements (bench/inbox.py, bench/ingest.py); after the
# freeze it takes microseconds. Requests allocate tens of thousands of objects
# that reference counting frees; a larger first generation spares most of the
# collections that would scan them.
get_resolver().url_patterns  # noqa: B018
gc.freeze()
gc.set_threshold(7000, 10, 10)
