from . import res_company
from . import res_config_settings
from . import crm_lead
from . import sales_web_form_submission
from . import res_users
