from . import sales_report_source
from . import sales_report_coordinator
from . import sales_report_advisor
from . import sales_coordinator_board
from . import sales_report_funnel
from . import sales_dialer_figures
