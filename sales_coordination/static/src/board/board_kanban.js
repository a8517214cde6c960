/** @odoo-module **/

import { onMounted, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { kanbanView } from "@web/views/kanban/kanban_view";

// The board on a wall screen reads itself again every minute, without a click.
export const REFRESH_MS = 60 * 1000;

export class SalesBoardController extends KanbanController {
    setup() {
        super.setup();
        this.wall = useState({ on: false });
        onMounted(() => {
            this.refreshTimer = setInterval(() => this.refresh(), REFRESH_MS);
        });
        onWillUnmount(() => {
            clearInterval(this.refreshTimer);
            document.body.classList.remove("o_sales_wall");
        });
    }

    async refresh() {
        await this.model.load();
    }

    toggleWall() {
        this.wall.on = !this.wall.on;
        document.body.classList.toggle("o_sales_wall", this.wall.on);
        if (this.wall.on) {
            // A browser may refuse full screen (no user gesture, a kiosk): the
            // wall layout stands without it.
            document.documentElement.requestFullscreen?.().catch(() => {});
        } else if (document.fullscreenElement) {
            document.exitFullscreen?.().catch(() => {});
        }
    }
}

export const salesBoardKanbanView = {
    ...kanbanView,
    Controller: SalesBoardController,
    buttonTemplate: "sales_coordination.SalesBoardButtons",
};

registry.category("views").add("sales_board_kanban", salesBoardKanbanView);
