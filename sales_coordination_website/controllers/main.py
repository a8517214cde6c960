from odoo.addons.website_crm.controllers.website_form import WebsiteForm

from ..models.crm_lead import _message


class SalesCoordinationWebsiteForm(WebsiteForm):
    def insert_record(self, request, model, values, custom, meta=None):
        """The form's lead: a new lead of the visitor's own, never merged with
        nor written on what exists (see ``crm.lead._sales_web_form_received``);
        the same message again from this browser within the hour adds to the
        lead it made. Answers that lead only, to which the form's attachments
        then go. An address that sends too many is refused, nothing written."""
        if model.sudo().model != "crm.lead":
            return super().insert_record(request, model, values, custom, meta=meta)
        request.env["sales.web.form.submission"]._sales_admit(
            request.httprequest.remote_addr
        )
        # sudo: the visitor is the public user; the form makes its lead as
        # superuser, and the only existing lead read here is one this browser
        # made (its visitor's).
        Lead = request.env["crm.lead"].sudo()
        visitor = request.env["website.visitor"]._get_visitor_from_request()
        message = _message(values.get("description"))
        repeat = Lead._sales_web_form_repeat(
            visitor.sudo(), request.website.company_id, message
        )
        if repeat:
            repeat._sales_web_form_repeated(values)
            return repeat.id
        record_id = super().insert_record(request, model, values, custom, meta=meta)
        if record_id:
            Lead.browse(record_id)._sales_web_form_received()
        return record_id
