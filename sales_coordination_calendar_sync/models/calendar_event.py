import logging

from odoo import fields, models
from odoo.tools import format_datetime, format_time, html2plaintext

_logger = logging.getLogger(__name__)

# What a synced calendar may still bring to a sales appointment: the sync's own
# bookkeeping, the reminders its user set for themselves and the meeting link
# their provider adds. Everything else is the coordinator's.
SYNC_OWN_FIELDS = frozenset(
    {
        "google_id",
        "need_sync",
        "microsoft_id",
        "ms_universal_event_id",
        "microsoft_recurrence_master_id",
        "need_sync_m",
        "alarm_ids",
        "videocall_location",
    }
)
# Kept as the coordinator has them, without a word: the provider's edit
# permission (a sales appointment stays open to its coordinators' changes) and a
# recurrence's follow flag (a sales appointment never repeats).
SYNC_IGNORED_FIELDS = frozenset({"guests_readonly", "follow_recurrence"})


def _text(value):
    """Plain text of an HTML or text value, blanks collapsed: the providers
    return an event's notes in their own markup."""
    return " ".join(html2plaintext(value or "").split()) if value else ""


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def _sales_sync_write(self, vals, push_back):
        """Apply to the sales appointments ``self`` what their user's calendar
        sync would write (``vals``, in Odoo's values): only what is theirs to
        change (an attendee's answer, their reminders). The other changes are
        refused: ``push_back`` (the provider's values that send the coordinator's
        version back to the calendar at its next sync) is written instead and the
        coordinator gets an activity on the lead saying what was tried. Never
        raises, so that the sync of the user's other events goes on. Returns the
        appointments whose change was refused."""
        refused_events = self.browse()
        for event in self:
            try:
                with self.env.cr.savepoint():
                    allowed, refused = event._sales_sync_split(vals)
                    if refused:
                        allowed.update(push_back)
                        refused_events |= event
                    # An answer is written on the attendee, as the user answers
                    # in Odoo: the appointment's attendees are the coordinator's.
                    for command in allowed.pop("attendee_ids", ()):
                        event.attendee_ids.browse(command[1])._sales_sync_answer(
                            command[2]["state"]
                        )
                    if allowed:
                        event.write(allowed)
                    if refused:
                        event._sales_sync_report(refused)
            except Exception:
                # The sync must go on; the coordinator's version goes back.
                _logger.exception(
                    "Calendar sync: the change to sales appointment %s could not "
                    "be handled; the coordinator's version is sent back.",
                    event.id,
                )
                refused_events |= event
                try:
                    with self.env.cr.savepoint():
                        event.write(push_back)
                except Exception:
                    _logger.exception(
                        "Calendar sync: sales appointment %s could not be marked "
                        "to be sent again.",
                        event.id,
                    )
        return refused_events

    def _sales_sync_split(self, vals):
        """(values to apply, descriptions of the refused changes) of ``vals`` on
        the sales appointment ``self``."""
        self.ensure_one()
        allowed = {key: value for key, value in vals.items() if key in SYNC_OWN_FIELDS}
        refused = []
        if "active" in vals and not vals["active"] and self.active:
            return allowed, [self.env._("deleted it")]
        refused += self._sales_sync_moves(vals)
        if "name" in vals and (vals["name"] or "") != (self.name or ""):
            refused.append(self.env._("renamed it “%(name)s”", name=vals["name"]))
        if "location" in vals and (vals["location"] or "") != (self.location or ""):
            refused.append(
                self.env._("changed its place to “%(place)s”", place=vals["location"])
                if vals["location"]
                else self.env._("removed its place")
            )
        if "description" in vals and _text(vals["description"]) != _text(
            self.description
        ):
            refused.append(self.env._("changed its notes"))
        if "privacy" in vals and (vals["privacy"] or False) not in (
            self.privacy,
            False,
        ):
            labels = dict(self._fields["privacy"]._description_selection(self.env))
            refused.append(
                self.env._(
                    "made it “%(privacy)s”",
                    privacy=labels.get(vals["privacy"], vals["privacy"]),
                )
            )
        if "show_as" in vals and vals["show_as"] != self.show_as:
            refused.append(self.env._("showed it as free time"))
        if "user_id" in vals:
            user_id = vals["user_id"]
            user_id = user_id.id if isinstance(user_id, models.BaseModel) else user_id
            if (user_id or False) != self.user_id.id:
                refused.append(self.env._("gave it another organiser"))
        if vals.get("recurrency") and not self.recurrency:
            refused.append(self.env._("made it repeat"))
        answers, attendees_changed = self._sales_sync_attendees(vals)
        if answers:
            allowed["attendee_ids"] = answers
        if attendees_changed:
            refused.append(self.env._("changed who attends"))
        return allowed, refused

    def _sales_sync_moves(self, vals):
        if vals.get("allday") and not self.allday:
            day = fields.Datetime.to_datetime(vals.get("start")) or self.start
            return [
                self.env._(
                    "made it an all-day event on %(day)s",
                    day=format_datetime(
                        self.env, day, tz="UTC", dt_format="EEEE d MMMM"
                    ),
                )
            ]
        start = fields.Datetime.to_datetime(vals.get("start")) or self.start
        stop = fields.Datetime.to_datetime(vals.get("stop")) or self.stop
        if start == self.start and stop == self.stop:
            return []
        tz = self._sales_sync_coordinator().tz or self.user_id.tz or "UTC"
        if start != self.start:
            return [
                self.env._(
                    "moved it to %(day)s, %(time)s",
                    day=format_datetime(
                        self.env, start, tz=tz, dt_format="EEEE d MMMM"
                    ),
                    time=format_time(self.env, start, tz=tz, time_format="short"),
                )
            ]
        return [
            self.env._(
                "made it end at %(time)s",
                time=format_time(self.env, stop, tz=tz, time_format="short"),
            )
        ]

    def _sales_sync_attendees(self, vals):
        """(attendee commands that only record an existing attendee's answer,
        whether the sync also adds or removes attendees). Attendees without an
        e-mail address cannot be in the provider's copy: their absence there is
        no change."""
        answers = []
        changed = False
        partners = self.partner_ids
        for command in vals.get("attendee_ids") or ():
            if (
                command[0] == 1
                and command[1] in self.attendee_ids.ids
                and set(command[2]) <= {"state"}
            ):
                answers.append(command)
            elif command[0] in (2, 3):
                attendee = self.attendee_ids.browse(command[1]).exists()
                changed = changed or bool(attendee.partner_id.email)
            elif command[0] == 0:
                partner = self.env["res.partner"].browse(command[2].get("partner_id"))
                changed = changed or partner not in partners
            else:
                changed = True
        for command in vals.get("partner_ids") or ():
            partner = self.env["res.partner"].browse(command[1])
            if command[0] == 4:
                changed = changed or partner not in partners
            elif command[0] == 3:
                changed = changed or (partner in partners and bool(partner.email))
            else:
                changed = True
        return answers, changed

    def _sales_sync_coordinator(self):
        """Who hears of a refused change: the coordinator who booked the
        appointment, else the advisor's coordinator, else their backup."""
        booker = self.booked_by_id
        if booker and booker.active and booker != self.advisor_id:
            return booker
        return self.advisor_id.coordinator_id or self.advisor_id.backup_coordinator_id

    def _sales_sync_report(self, refused):
        """One activity on the lead for the coordinator per refused change: the
        same change synced again adds nothing while the first is open."""
        coordinator = self._sales_sync_coordinator()
        lead = self.opportunity_id
        if not coordinator or not lead:
            return
        summary = self.env._(
            "%(user)s %(changes)s (“%(event)s”) in their calendar",
            user=self.env.user.name,
            changes=", ".join(refused),
            event=self.name,
        )
        activity_type = self.env.ref(
            "sales_coordination_calendar_sync.mail_activity_type_calendar_refused"
        )
        # sudo: the activity is the addon's message to the coordinator, written
        # during the advisor's sync, whose rights on the lead do not matter here;
        # the caller only reports on sales appointments the sync holds.
        Activity = self.env["mail.activity"].sudo()
        if Activity.search_count(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("activity_type_id", "=", activity_type.id),
                ("user_id", "=", coordinator.id),
                ("summary", "=", summary),
            ],
            limit=1,
        ):
            return
        lead.sudo().activity_schedule(
            activity_type_id=activity_type.id,
            user_id=coordinator.id,
            summary=summary,
            note=self.env._(
                "The appointment stays as booked: their calendar gets it back at "
                "its next sync. If the change is needed, make it yourself."
            ),
        )
