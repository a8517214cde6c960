{
    "name": "Sales Coordination: Website Forms",
    "summary": "Leads from the website's contact form reach the coordinators' "
    "queue at once, with the visitor's source, matched like an intake.",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "website": "https://github.com/sales-coordination/sales_coordination",
    "author": "Sales Coordination developers",
    "license": "LGPL-3",
    "depends": ["sales_coordination", "website_crm"],
    "data": [
        "security/ir.model.access.csv",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sales_coordination_website/static/tests/tours/*.js",
        ],
    },
    "installable": True,  # pylint: disable=manifest-superfluous-key
    "auto_install": True,
}
