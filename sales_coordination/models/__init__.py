from . import res_company
from . import res_config_settings
from . import res_users
from . import sales_tracking_number
from . import sales_call
from . import crm_lead
from . import calendar_event
