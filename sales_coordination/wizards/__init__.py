from . import sales_lead_intake
