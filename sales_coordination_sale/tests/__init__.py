from . import test_debrief_quotation
from . import test_quotation_loop
from . import test_funnel_sale
from . import test_ui
from . import test_sale_crm_beside
from . import test_payment
from . import test_write_matrix
from . import test_quotation_context
