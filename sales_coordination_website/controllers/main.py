from odoo.addons.website_crm.controllers.website_form import WebsiteForm


class SalesCoordinationWebsiteForm(WebsiteForm):
    def insert_record(self, request, model, values, custom, meta=None):
        """After the form's lead is made: matched, merged and queued (see
        ``crm.lead._sales_web_form_received``). Answers the lead kept, to which
        the form's attachments then go."""
        record_id = super().insert_record(request, model, values, custom, meta=meta)
        if not record_id or model.sudo().model != "crm.lead":
            return record_id
        # sudo: the visitor is the public user; the form made this lead as
        # superuser, and only its own record id comes back from it.
        lead = request.env["crm.lead"].sudo().browse(record_id)
        visitor = request.env["website.visitor"]._get_visitor_from_request()
        return lead._sales_web_form_received(visitor).id
