/** @odoo-module **/

import { registry } from "@web/core/registry";
import { formatFloat } from "@web/views/fields/formatters";

// Units for the reports' ratios, as a pivot's measure widget names them. The
// funnel's rates are already in percent (0-100): "19.4 %", never a bare 19.44.
// An empty ratio (too small a base, nothing spent) stays empty.
function formatSalesPercent(value) {
    if (value === false || value === null || value === undefined) {
        return "";
    }
    return `${formatFloat(value, { digits: [false, 1] })} %`;
}

// Revenue per unit of spend: "17.0x".
function formatSalesTimes(value) {
    if (value === false || value === null || value === undefined) {
        return "";
    }
    return `${formatFloat(value, { digits: [false, 1] })}x`;
}

registry.category("formatters").add("sales_percent", formatSalesPercent);
registry.category("formatters").add("sales_times", formatSalesTimes);
