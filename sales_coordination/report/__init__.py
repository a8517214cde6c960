from . import sales_report_source
