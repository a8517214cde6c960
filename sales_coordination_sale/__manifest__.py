{
    "name": "Sales Coordination with Sales",
    "summary": "Quotations from Odoo Sales move the coordinators' follow-up loop: "
    "debriefs read their value from the quotation, sending, confirming, cancelling "
    "or letting it expire queue or end the calls.",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/sales-coordination/sales_coordination",
    "author": "Sales Coordination developers",
    "license": "LGPL-3",
    "depends": ["sales_coordination", "sale_crm"],
    "data": [
        "security/sale_order_security.xml",
        "data/ir_cron_data.xml",
        "views/sales_debrief_views.xml",
        "views/sales_followup_views.xml",
    ],
    "demo": ["demo/sale_order_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "sales_coordination_sale/static/tests/tours/*.js",
        ],
    },
    "installable": True,  # pylint: disable=manifest-superfluous-key
    "auto_install": True,
}
