"""Proposals ranked by the drive they add, on a road matrix given by hand: the pure
logic, no database and no engine (test_routing_engine.py speaks to the real one)."""

from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..tools import slots, travel
from ..tools.slots import AdvisorAgenda, Appointment, TravelSettings
from ..tools.travel import Place, RoadMatrix

MONDAY = datetime(2031, 3, 3)
HOME = Place(60.1715, 24.9520)
CUSTOMER = Place(60.1730, 24.9433)
# As the crow flies ACROSS is nearer the customer than AROUND; by road, a bay lies
# between the customer and ACROSS.
ACROSS = Place(60.1745, 24.9380)
AROUND = Place(60.1774, 24.9414)
NOWHERE = Place(61.4978, 23.7610)


def cells(minutes):
    """A RoadMatrix from {(a, b): minutes}, both ways."""
    found = {}
    for (a, b), value in minutes.items():
        found[(travel._key(a), travel._key(b))] = (value, value / 2)
        found[(travel._key(b), travel._key(a))] = (value, value / 2)
    return RoadMatrix(cells=found, requests=1)


ROADS = cells(
    {
        (CUSTOMER, ACROSS): 25.0,
        (CUSTOMER, AROUND): 3.0,
        (HOME, CUSTOMER): 4.0,
        (HOME, ACROSS): 20.0,
        (HOME, AROUND): 6.0,
        (ACROSS, AROUND): 22.0,
    }
)


def visit(hour, place, minutes=90, id=None):
    start = MONDAY + timedelta(hours=hour)
    return Appointment(start, start + timedelta(minutes=minutes), place, id)


def agenda(advisor_id, *appointments, home=HOME):
    return AdvisorAgenda(
        advisor_id=advisor_id,
        working=[(MONDAY + timedelta(hours=8), MONDAY + timedelta(hours=18))],
        appointments=list(appointments),
        home=home,
    )


@tagged("at_install", "-post_install")
class TestRoutingRanking(BaseCase):
    def test_travel_minutes_take_the_road_per_pair(self):
        self.assertEqual(travel.travel_minutes(CUSTOMER, ACROSS, 40, ROADS), 25.0)
        self.assertEqual(travel.travel_source(CUSTOMER, ACROSS, ROADS), travel.ROAD)
        # A pair the engine did not route is estimated, the others stay the road's.
        estimate = travel.travel_minutes(CUSTOMER, NOWHERE, 40)
        self.assertEqual(travel.travel_minutes(CUSTOMER, NOWHERE, 40, ROADS), estimate)
        self.assertEqual(
            travel.travel_source(CUSTOMER, NOWHERE, ROADS), travel.ESTIMATE
        )
        # No coordinates: the postcode guess, an estimate.
        self.assertEqual(
            travel.travel_source(Place(postcode="00100"), CUSTOMER, ROADS),
            travel.ESTIMATE,
        )

    def test_ranked_by_the_road_not_the_crow(self):
        near_by_crow = agenda(1, visit(9, ACROSS))
        near_by_road = agenda(2, visit(9, AROUND))
        duration = timedelta(minutes=60)
        # The estimate prefers the advisor across the bay...
        estimated = slots.propose(
            [near_by_crow, near_by_road], CUSTOMER, duration, per_day=1
        )
        self.assertEqual(estimated[0].advisor_id, 1)
        self.assertEqual(estimated[0].travel_source, travel.ESTIMATE)
        # ...the road the one around it.
        road = TravelSettings(stop_minutes=0, matrix=ROADS)
        ranked = slots.propose(
            [near_by_crow, near_by_road], CUSTOMER, duration, travel=road, per_day=1
        )
        self.assertEqual([p.advisor_id for p in ranked], [2, 1])
        best = ranked[0]
        self.assertEqual(best.travel_source, travel.ROAD)
        # After the visit ending at 10:30 and the drive: from AROUND, then home.
        self.assertEqual(best.start, MONDAY + timedelta(hours=11))
        self.assertEqual(best.drive_before_minutes, 3.0)
        self.assertEqual(best.drive_after_minutes, 4.0)
        # home-AROUND-CUSTOMER-home: 6 + 3 + 4
        self.assertEqual(best.day_drive_minutes, 13.0)
        # Without it: home-AROUND-home, 12 minutes; with it 13.
        self.assertEqual(best.added_travel_minutes, 1.0)

    def test_added_drive_then_the_customers_window(self):
        # Two advisors whose days are alike: the customer's window decides.
        first, second = agenda(1, visit(9, AROUND)), agenda(2, visit(9, AROUND))
        afternoon = [(MONDAY + timedelta(hours=14), MONDAY + timedelta(hours=17))]
        road = TravelSettings(stop_minutes=0, matrix=ROADS)
        ranked = slots.propose(
            [first, second],
            CUSTOMER,
            timedelta(minutes=60),
            preferred=afternoon,
            travel=road,
            per_day=3,
        )
        self.assertTrue(ranked[0].in_preferred_window)
        minutes = [p.added_travel_minutes for p in ranked]
        self.assertEqual(minutes, sorted(minutes))
        # Less added drive beats the window: a slot across the bay never comes
        # before one around it, whatever the window.
        across = agenda(3, visit(9, ACROSS))
        ranked = slots.propose(
            [across, first],
            CUSTOMER,
            timedelta(minutes=60),
            preferred=[(MONDAY + timedelta(hours=10), MONDAY + timedelta(hours=12))],
            travel=road,
            per_day=1,
        )
        self.assertEqual(ranked[0].advisor_id, 1)

    def test_a_slot_the_road_cannot_reach_in_time_is_not_proposed(self):
        # Visits across the bay end at 10:28 and start again at 11:33: the
        # estimate fits an hour at 10:30 between them, 25 minutes of road do not.
        day = agenda(
            1,
            visit(9, ACROSS, minutes=88, id=1),
            Appointment(
                MONDAY + timedelta(hours=11, minutes=33),
                MONDAY + timedelta(hours=13),
                ACROSS,
                2,
            ),
        )
        start = MONDAY + timedelta(hours=10, minutes=30)
        stop = start + timedelta(minutes=60)
        estimate = TravelSettings(stop_minutes=0)
        road = TravelSettings(stop_minutes=0, matrix=ROADS)
        self.assertIsNone(slots.check_slot(day, start, stop, CUSTOMER, estimate))
        self.assertEqual(
            slots.check_slot(day, start, stop, CUSTOMER, road), slots.OVERLAP
        )
        starts = {
            p.start
            for p in slots.propose(
                [day], CUSTOMER, timedelta(minutes=60), travel=road, per_day=20
            )
        }
        self.assertNotIn(start, starts)
        self.assertIn(
            start,
            {
                p.start
                for p in slots.propose(
                    [day], CUSTOMER, timedelta(minutes=60), travel=estimate, per_day=20
                )
            },
        )

    def test_the_day_drive_limit(self):
        # home-ACROSS-CUSTOMER-home: 20 + 25 + 4 = 49 minutes of driving.
        day = agenda(1, visit(9, ACROSS))
        free = agenda(2)  # home-CUSTOMER-home: 8 minutes
        limited = TravelSettings(stop_minutes=0, matrix=ROADS, day_drive_limit=30)
        proposals = slots.propose(
            [day, free], CUSTOMER, timedelta(minutes=60), travel=limited, per_day=5
        )
        self.assertTrue(proposals)
        self.assertEqual({p.advisor_id for p in proposals}, {2})
        self.assertTrue(all(p.day_drive_minutes <= 30 for p in proposals))
        unlimited = TravelSettings(stop_minutes=0, matrix=ROADS)
        self.assertEqual(
            {
                p.advisor_id
                for p in slots.propose(
                    [day, free], CUSTOMER, timedelta(minutes=60), travel=unlimited
                )
            },
            {1, 2},
        )

    def test_an_unknown_home_is_left_out_of_the_day_drive(self):
        day = agenda(1, visit(9, AROUND), home=None)
        road = TravelSettings(stop_minutes=0, matrix=ROADS)
        proposal = slots.propose([day], CUSTOMER, timedelta(minutes=60), travel=road)[0]
        self.assertEqual(proposal.day_drive_minutes, 3.0)

    def test_road_matrix_without_a_server(self):
        self.assertEqual(travel.road_matrix("", [CUSTOMER, ACROSS]).cells, {})
        self.assertEqual(travel.road_matrix("", [CUSTOMER, ACROSS]).requests, 0)
