from . import test_microsoft_sync
