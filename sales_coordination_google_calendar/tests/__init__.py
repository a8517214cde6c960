from . import test_google_sync
