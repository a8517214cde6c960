/** @odoo-module **/

import { registry } from "@web/core/registry";

// A visitor writes to the company through the website's contact form.
registry.category("web_tour.tours").add("sales_coordination_website_form", {
    url: "/contactus",
    steps: () => [
        {
            content: "The visitor gives their name",
            trigger: "form[data-model_name='crm.lead'] input[name=contact_name]",
            run: "edit Tom Tour",
        },
        {
            content: "their phone",
            trigger: "input[name=phone]",
            run: "edit +1 555 0199",
        },
        {
            content: "their e-mail",
            trigger: "input[name=email_from]",
            run: "edit tom.tour@example.com",
        },
        {
            content: "their company",
            trigger: "input[name=partner_name]",
            run: "edit Tour Household",
        },
        {
            content: "what it is about",
            trigger: "input[name=name]",
            run: "edit A new kitchen",
        },
        {
            content: "and their question",
            trigger: "textarea[name=description]",
            run: "edit Can someone come and measure next week?",
        },
        {
            content: "They send it",
            trigger: ".s_website_form_send",
            run: "click",
        },
        {
            content: "The website thanks them",
            trigger: "#wrap:has(h1:contains('Thank You!'))",
        },
    ],
});
