from . import sales_lead_intake
from . import sales_booking_wizard
