{
    "name": "Sales Coordination: Google Calendar",
    "summary": "Sales appointments in the advisors' Google calendars, kept as "
    "their coordinator books them; their other events count as busy time.",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/sales-coordination/sales_coordination",
    "author": "Sales Coordination developers",
    "license": "LGPL-3",
    "depends": [
        "sales_coordination",
        "sales_coordination_calendar_sync",
        "google_calendar",
    ],
    "installable": True,  # pylint: disable=manifest-superfluous-key
    "auto_install": ["sales_coordination", "google_calendar"],
}
