from . import res_users
from . import calendar_event
