/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { _t } from "@web/core/l10n/translation";
import { RPCError } from "@web/core/network/rpc";
import { RecordSelector } from "@web/core/record_selectors/record_selector";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

// The refusals a booking may meet: shown in the dialog, where the coordinator
// picks another lead or closes it, rather than as an error dialog.
const REFUSALS = [
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.UserError",
    "odoo.exceptions.AccessError",
];

// The coordinator picks the lead to book into a free slot; the server checks
// the booking as the booking wizard does (scheduler's book()).
export class SalesDispatchBookDialog extends Component {
    static template = "sales_coordination.SalesDispatchBookDialog";
    static components = { Dialog, RecordSelector };
    static props = {
        advisor: Object,
        slot: Object,
        when: String,
        companyId: Number,
        onBooked: Function,
        close: Function,
    };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ leadId: false, error: "", busy: false });
    }

    get leadDomain() {
        return [
            ["type", "=", "opportunity"],
            ["probability", "<", 100],
            ["company_id", "in", [this.props.companyId, false]],
        ];
    }

    async book() {
        if (!this.state.leadId) {
            this.state.error = _t("Choose the lead to book first.");
            return;
        }
        this.state.busy = true;
        this.state.error = "";
        try {
            await this.orm.call("sales.appointment.scheduler", "book", [
                this.state.leadId,
                this.props.advisor.advisor_id,
                this.props.slot.start,
                this.props.slot.stop,
            ]);
        } catch (error) {
            if (error instanceof RPCError && REFUSALS.includes(error.exceptionName)) {
                this.state.error = error.data.message;
                this.state.busy = false;
                return;
            }
            throw error;
        }
        this.props.close();
        await this.props.onBooked();
    }
}

// The advisors side by side, as columns, over a day or a week.
export class SalesDispatchBoard extends Component {
    static template = "sales_coordination.SalesDispatchBoard";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.dialog = useService("dialog");
        this.action = useService("action");
        this.notification = useService("notification");
        this.state = useState({ board: null, date: false, scale: "day" });
        onWillStart(() => this.load());
    }

    async load(date = this.state.date, scale = this.state.scale) {
        const board = await this.orm.call("sales.appointment.scheduler", "dispatch_board", [], {
            date: date || false,
            scale,
        });
        this.state.board = board;
        this.state.date = board.date;
        this.state.scale = board.scale;
    }

    get gridStyle() {
        const count = this.state.board.columns.length;
        return `grid-template-columns: 4.5rem repeat(${count}, minmax(11rem, 1fr));`;
    }

    cellStyle(row, column, span = 1) {
        return `grid-row: ${row + 2} / span ${span}; grid-column: ${column + 2};`;
    }

    columnStyle(column) {
        return `--o-sales-advisor-color: ${column.color};`;
    }

    isWorking(cell, row) {
        return cell.working_rows.includes(row);
    }

    freeAt(cell, row) {
        return cell.free.find((slot) => slot.row === row);
    }

    statusLabel(status) {
        return this.state.board.statuses[status];
    }

    move(which) {
        return this.load(this.state.board[which]);
    }

    setScale(scale) {
        return this.load(this.state.date, scale);
    }

    openDay(date) {
        return this.load(date, "day");
    }

    openVisit(visit) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "calendar.event",
            res_id: visit.id,
            views: [[false, "form"]],
            context: { form_view_ref: "sales_coordination.calendar_event_view_form_sales" },
        });
    }

    openBooking(column, slot, row) {
        this.dialog.add(SalesDispatchBookDialog, {
            advisor: column,
            slot,
            when: `${this.state.board.title}, ${this.state.board.rows[row].label}`,
            companyId: this.state.board.company_id,
            onBooked: async () => {
                this.notification.add(_t("The visit is booked."), { type: "success" });
                await this.load();
            },
        });
    }
}

registry.category("actions").add("sales_coordination.dispatch_board", SalesDispatchBoard);
