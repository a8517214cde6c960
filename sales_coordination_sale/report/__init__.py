from . import sales_report_funnel
