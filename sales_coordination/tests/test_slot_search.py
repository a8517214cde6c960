"""The pure slot search: no database, milliseconds."""

from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..tools import slots
from ..tools.slots import AdvisorAgenda, Appointment, TravelSettings
from ..tools.travel import Place, great_circle_km, postcode_km, travel_minutes

HOUR = timedelta(hours=1)
DURATION = timedelta(minutes=90)
# Monday 2031-03-03; places around Springfield, IL.
MONDAY = datetime(2031, 3, 3)
DOWNTOWN = Place(39.7817, -89.6501, "62701")
NEIGHBOUR = Place(39.7850, -89.6450, "62701")
FAR = Place(41.8781, -87.6298, "60601")  # Chicago, 288 km as the crow flies


def workweek(start_day=MONDAY, days=5, hours=(8, 17)):
    return [
        (
            start_day + timedelta(days=d, hours=hours[0]),
            start_day + timedelta(days=d, hours=hours[1]),
        )
        for d in range(days)
    ]


def visit(day, hour, place, minutes=90, id=None):
    start = MONDAY + timedelta(days=day, hours=hour)
    return Appointment(start, start + timedelta(minutes=minutes), place, id)


@tagged("at_install", "-post_install")
class TestTravel(BaseCase):
    def test_great_circle(self):
        self.assertAlmostEqual(great_circle_km(DOWNTOWN, FAR), 288.5, delta=1)
        # 40 km/h, with the road detour factor of 1.3.
        self.assertAlmostEqual(travel_minutes(DOWNTOWN, FAR, 40), 562.5, delta=2)

    def test_postcode_proximity_when_coordinates_are_missing(self):
        a, b = Place(postcode="62701"), Place(postcode="62 701")
        self.assertEqual(postcode_km(a, b), 3.0)
        self.assertEqual(postcode_km(a, Place(postcode="62704")), 12.0)
        self.assertEqual(postcode_km(a, Place(postcode="60601")), 60.0)
        self.assertEqual(postcode_km(a, Place()), 60.0)

    def test_speed_must_be_positive(self):
        with self.assertRaises(ValueError):
            travel_minutes(DOWNTOWN, FAR, 0)


@tagged("at_install", "-post_install")
class TestSlotSearch(BaseCase):
    def agenda(self, **values):
        return AdvisorAgenda(**dict({"advisor_id": 1, "working": workweek()}, **values))

    def test_outside_working_hours_and_leaves(self):
        agenda = self.agenda()
        self.assertEqual(
            slots.check_slot(
                agenda,
                MONDAY + timedelta(hours=7),
                MONDAY + timedelta(hours=8, minutes=30),
                DOWNTOWN,
            ),
            slots.OUTSIDE_HOURS,
        )
        # A leave is a hole in the working intervals.
        with_leave = self.agenda(working=[w for w in workweek() if w[0].day != 4])
        tuesday_10 = MONDAY + timedelta(days=1, hours=10)
        self.assertEqual(
            slots.check_slot(with_leave, tuesday_10, tuesday_10 + DURATION, DOWNTOWN),
            slots.OUTSIDE_HOURS,
        )
        self.assertIsNone(
            slots.check_slot(agenda, tuesday_10, tuesday_10 + DURATION, DOWNTOWN)
        )

    def test_overlap_and_busy(self):
        agenda = self.agenda(
            appointments=[visit(0, 10, DOWNTOWN)],
            busy=[(MONDAY + timedelta(hours=14), MONDAY + timedelta(hours=15))],
        )
        start = MONDAY + timedelta(hours=11)
        self.assertEqual(
            slots.check_slot(agenda, start, start + DURATION, DOWNTOWN), slots.OVERLAP
        )
        start = MONDAY + timedelta(hours=13, minutes=30)
        self.assertEqual(
            slots.check_slot(agenda, start, start + DURATION, DOWNTOWN), slots.OVERLAP
        )

    def test_travel_between_neighbours(self):
        agenda = self.agenda(appointments=[visit(0, 9, DOWNTOWN)])
        # The visit ends at 10:30; next door needs the 10-minute stop allowance
        # and a minute of driving.
        self.assertEqual(
            slots.check_slot(
                agenda,
                MONDAY + timedelta(hours=10, minutes=30),
                MONDAY + timedelta(hours=12),
                NEIGHBOUR,
            ),
            slots.OVERLAP,
        )
        self.assertIsNone(
            slots.check_slot(
                agenda,
                MONDAY + timedelta(hours=10, minutes=45),
                MONDAY + timedelta(hours=12, minutes=15),
                NEIGHBOUR,
            )
        )
        # Chicago is far too far for the afternoon.
        self.assertEqual(
            slots.check_slot(
                agenda,
                MONDAY + timedelta(hours=13),
                MONDAY + timedelta(hours=14, minutes=30),
                FAR,
            ),
            slots.OVERLAP,
        )

    def test_daily_and_weekly_capacity(self):
        full_day = self.agenda(
            appointments=[visit(0, h, DOWNTOWN, minutes=60) for h in (8, 10, 12, 14)]
        )
        start = MONDAY + timedelta(hours=15, minutes=20)
        self.assertEqual(
            slots.check_slot(full_day, start, start + HOUR, DOWNTOWN),
            slots.DAILY_CAPACITY,
        )
        full_week = self.agenda(
            weekly_capacity=3,
            appointments=[visit(d, 9, DOWNTOWN) for d in range(3)],
        )
        thursday = MONDAY + timedelta(days=3, hours=9)
        self.assertEqual(
            slots.check_slot(full_week, thursday, thursday + DURATION, DOWNTOWN),
            slots.WEEKLY_CAPACITY,
        )
        # The next week is free again.
        next_monday = MONDAY + timedelta(days=7, hours=9)
        full_week.working += workweek(MONDAY + timedelta(days=7))
        self.assertIsNone(
            slots.check_slot(full_week, next_monday, next_monday + DURATION, DOWNTOWN)
        )

    def test_moving_an_appointment_ignores_itself(self):
        agenda = self.agenda(appointments=[visit(0, 9, DOWNTOWN, id=7)])
        start = MONDAY + timedelta(hours=9, minutes=30)
        self.assertEqual(
            slots.check_slot(agenda, start, start + DURATION, DOWNTOWN), slots.OVERLAP
        )
        self.assertIsNone(
            slots.check_slot(agenda, start, start + DURATION, DOWNTOWN, ignore_ids={7})
        )

    def test_ranking_by_added_travel_then_window_then_capacity(self):
        near = self.agenda(advisor_id=1, appointments=[visit(1, 9, NEIGHBOUR)])
        far = self.agenda(advisor_id=2, appointments=[visit(1, 9, FAR)])
        proposals = slots.propose(
            [far, near], DOWNTOWN, DURATION, not_before=MONDAY, limit=3
        )
        best = proposals[0]
        # Next to the neighbour's visit on Tuesday: a minute's drive and a stop.
        self.assertEqual((best.advisor_id, best.day.isoformat()), (1, "2031-03-04"))
        self.assertLess(best.added_travel_minutes, 15)
        self.assertEqual(len(best.day_appointments), 1)
        # Empty days cost a drive from home and back: they come next, and the far
        # advisor's Tuesday (a day in Chicago) not at all.
        self.assertTrue(
            all(
                p.added_travel_minutes > best.added_travel_minutes
                for p in proposals[1:]
            )
        )
        self.assertNotIn((2, best.day), [(p.advisor_id, p.day) for p in proposals])
        # The customer's window decides between equal travel.
        wednesday = MONDAY + timedelta(days=2)
        window = [(wednesday + timedelta(hours=12), wednesday + timedelta(hours=17))]
        proposals = slots.propose(
            [self.agenda()],
            DOWNTOWN,
            DURATION,
            preferred=window,
            not_before=MONDAY,
            limit=1,
        )
        self.assertTrue(proposals[0].in_preferred_window)
        self.assertEqual(proposals[0].start, wednesday + timedelta(hours=12))
        # Then the advisor with the most free capacity that week.
        busy = self.agenda(advisor_id=3, appointments=[visit(4, 9, FAR)])
        free = self.agenda(advisor_id=4)
        proposals = slots.propose(
            [busy, free], DOWNTOWN, DURATION, not_before=MONDAY, limit=1
        )
        self.assertEqual(proposals[0].advisor_id, 4)

    def test_time_zones_across_daylight_saving(self):
        # Chicago springs forward on Sunday 2031-03-09: 8:00 local is 14:00 UTC
        # before, 13:00 UTC after. Days and weeks are local days.
        before = datetime(2031, 3, 7, 14)  # Friday 8:00 CST
        after = datetime(2031, 3, 10, 13)  # Monday 8:00 CDT
        agenda = AdvisorAgenda(
            advisor_id=1,
            tz="America/Chicago",
            working=[(before, before + 9 * HOUR), (after, after + 9 * HOUR)],
            appointments=[
                # 23:00 UTC on Friday is still Friday in Chicago.
                Appointment(
                    datetime(2031, 3, 7, 20), datetime(2031, 3, 7, 21), DOWNTOWN
                ),
            ],
            daily_capacity=1,
        )
        self.assertEqual(
            agenda.local_day(datetime(2031, 3, 8, 4)).isoformat(), "2031-03-07"
        )
        self.assertEqual(
            slots.check_slot(agenda, before, before + DURATION, DOWNTOWN),
            slots.DAILY_CAPACITY,
        )
        self.assertIsNone(slots.check_slot(agenda, after, after + DURATION, DOWNTOWN))
        proposals = slots.propose(
            [agenda], DOWNTOWN, DURATION, not_before=before, limit=5
        )
        self.assertEqual([p.start for p in proposals], [after])
        self.assertEqual(proposals[0].day.isoformat(), "2031-03-10")

    def test_invalid_slot(self):
        self.assertEqual(
            slots.check_slot(self.agenda(), MONDAY + 2 * HOUR, MONDAY + HOUR, DOWNTOWN),
            slots.INVALID,
        )

    def test_settings_change_travel(self):
        slow = TravelSettings(speed_kmh=20, stop_minutes=0)
        fast = TravelSettings(speed_kmh=80, stop_minutes=0)
        self.assertAlmostEqual(slow.leg(DOWNTOWN, FAR), 4 * fast.leg(DOWNTOWN, FAR))
