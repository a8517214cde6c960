"""Next call as an integrator drives it: odoorpc against Odoo serving a copy of
the test database, on real cursors and committed data, as in production:
claim_next() answers the claimed follow-up's id, or False when nothing is due."""

import odoorpc
from conftest import run_odoo_shell, serve


def test_claim_next_over_odoorpc(odoo_command, database_copy, tmp_path):
    output = run_odoo_shell(
        odoo_command,
        database_copy,
        """
from datetime import datetime, timedelta
Followup = env["sales.followup"]
Followup._cancel_open_for()
coordinator = env["res.users"].search([("login", "=", "coordinator1")])
coordinator.password = "rpc-test"
lead = env["crm.lead"].search(
    [("user_id.coordinator_id", "=", coordinator.id), ("active", "=", True),
     ("stage_id.is_won", "=", False)], limit=1)
now = datetime.now()
followup = Followup.create({
    "lead_id": lead.id, "kind": "callback",
    "window_start": now - timedelta(hours=1), "window_end": now + timedelta(hours=3),
})
env.cr.commit()
print("IDS", followup.id)
""",
    )
    followup_id = int(output.split("IDS", 1)[1].split()[0])
    with serve(odoo_command, database_copy, tmp_path / "odoo.log") as url:
        port = int(url.rsplit(":", 1)[1])
        client = odoorpc.ODOO("127.0.0.1", port=port)
        client.login(database_copy, "coordinator1", "rpc-test")
        Followup = client.env["sales.followup"]
        assert Followup.claim_next() == followup_id
        # Pressing again while the call is being made: the same call.
        assert Followup.claim_next() == followup_id
        assert Followup.read(followup_id, ["state"])[0]["state"] == "claimed"
        Followup.browse(followup_id).action_log_call("connected", "done")
        assert Followup.claim_next() is False
