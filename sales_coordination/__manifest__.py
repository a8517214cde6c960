{
    "name": "Sales Coordination",
    "summary": "A sales coordinator takes every lead, books the field advisors' "
    "appointments, records their debriefs and works the follow-up queue.",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/sales-coordination/sales_coordination",
    "author": "Sales Coordination developers",
    "license": "LGPL-3",
    "depends": ["crm", "calendar", "resource", "mail", "utm"],
    "data": [
        "security/sales_coordination_groups.xml",
        "security/crm_lead_security.xml",
        "security/calendar_event_security.xml",
        "views/res_users_views.xml",
        "views/calendar_event_views.xml",
        "views/sales_coordination_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/crm_lead_demo.xml",
        "demo/calendar_event_demo.xml",
    ],
    "installable": True,
    "application": True,
}
