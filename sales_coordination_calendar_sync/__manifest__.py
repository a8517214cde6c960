{
    "name": "Sales Coordination: Synced Calendars",
    "summary": "What the Google and Outlook bridges share: a sales appointment in "
    "an advisor's synced calendar stays the coordinator's.",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/sales-coordination/sales_coordination",
    "author": "Sales Coordination developers",
    "license": "LGPL-3",
    "depends": ["sales_coordination"],
    "data": [
        "data/mail_activity_type_data.xml",
    ],
    "installable": True,  # pylint: disable=manifest-superfluous-key
}
