from . import test_google_sync
from . import test_google_customer_answer
from . import test_google_calendar_beside
