from . import crm_lead
from . import sale_order
from . import sales_debrief
from . import sales_followup
