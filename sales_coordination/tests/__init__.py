from . import test_advisor_pairing
from . import test_calendar_ownership
from . import test_crm_lead_visibility
from . import test_demo_data
