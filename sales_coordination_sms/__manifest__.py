{
    "name": "Sales Coordination SMS Reminders",
    "summary": "The customer of a sales appointment also gets a text the day "
    "before, through Odoo's own SMS calendar reminders.",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/sales-coordination/sales_coordination",
    "author": "Sales Coordination developers",
    "license": "LGPL-3",
    "depends": ["sales_coordination", "calendar_sms"],
    "data": [
        "data/sms_template_data.xml",
        "data/calendar_alarm_data.xml",
        "views/res_config_settings_views.xml",
    ],
    "installable": True,  # pylint: disable=manifest-superfluous-key
    "auto_install": True,
}
