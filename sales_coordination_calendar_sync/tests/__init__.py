from . import test_sync_refusal
