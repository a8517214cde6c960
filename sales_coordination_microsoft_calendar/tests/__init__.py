from . import test_microsoft_sync
from . import test_microsoft_calendar_beside
