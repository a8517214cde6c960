from . import sales_lead_intake
from . import sales_booking_wizard
from . import sales_call_outcome
from . import sales_resourcing_planner
from . import sales_call_outcome_dialer
from . import sales_coordination_settings
