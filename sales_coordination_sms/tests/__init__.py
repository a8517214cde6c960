from . import test_sms_reminder
from . import test_write_matrix
