from . import test_sms_reminder
