from . import test_website_form
from . import test_write_matrix
from . import test_coordinator_leaves
