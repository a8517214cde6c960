"""Road travel against the real engine: OSRM's own osrm-routed on the Helsinki
OpenStreetMap extract, built and started by scripts/routing.sh (outside the
checkout, once), spoken to over HTTP as a company's own OSRM server would be."""

import socket
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from ..tools import travel
from ..tools.travel import Place
from .common import COORDINATOR_GROUPS, SalesCoordinationCommon

ROUTING_SH = Path(__file__).resolve().parents[2] / "scripts" / "routing.sh"

# Central Helsinki, points the extract's car network reaches (measured on it).
CUSTOMER = Place(60.173004, 24.943286)  # Kaisaniemen puistokuja, east of Töölönlahti
# 340 m west as the crow flies, across the Töölönlahti bay: 2.7 km by road.
ACROSS_THE_BAY = Place(60.174556, 24.937994)  # Töölönlahdenkatu
# 442 m away beyond the rail yard and the park: over 5 minutes by road.
FAR_BY_ROAD = Place(60.170008, 24.938023)  # Mannerheimintie
# 498 m away as the crow flies, yet a minute and a half by road.
NEAR_BY_ROAD = Place(60.17738, 24.94136)
HOME = Place(60.171515, 24.951998)  # Rauhankatu
# Tampere, 160 km away: OSRM would snap it to the extract's nearest road.
OFF_THE_NETWORK = Place(61.4978, 23.7610)

MONDAY = datetime(2031, 3, 3)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def routing(*args):
    """scripts/routing.sh; builds the engine first when the cache has none."""
    return subprocess.run(
        ["bash", str(ROUTING_SH), *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    ).stdout.strip()


class RoutingCommon(SalesCoordinationCommon):
    """The cast, with the company's routing server: a real osrm-routed of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.port = free_port()
        cls.url = routing("start", cls.port)
        cls.addClassCleanup(routing, "stop", cls.port)
        cls.company.write(
            {
                "sales_routing_url": cls.url,
                "sales_stop_minutes": 0,
                "sales_appointment_duration": 1.0,
            }
        )
        cls.advisor_3 = cls._new_user(
            "sc_advisor_3",
            "sales_team.group_sale_salesman",
            "Ari Advisor",
            is_field_advisor=True,
            coordinator_id=cls.coordinator.id,
            resource_calendar_id=cls.calendar.id,
        )
        for advisor in (cls.advisor, cls.advisor_2, cls.advisor_3):
            cls._locate(advisor.partner_id, HOME)
        cls._locate(cls.customer, CUSTOMER)

    def setUp(self):
        super().setUp()
        # Each test starts from an engine nobody asked yet (the answers are kept
        # a few minutes per process): its requests are its own.
        travel.LEGS.clear()
        self.addCleanup(travel.LEGS.clear)

    @classmethod
    def _locate(cls, partner, place):
        partner.write(
            {"partner_latitude": place.latitude, "partner_longitude": place.longitude}
        )

    @classmethod
    def _visit_at(cls, advisor, place, start, hours=1.5):
        partner = cls.env["res.partner"].create(
            {
                "name": f"Customer of {advisor.name} at {start:%H:%M}",
                "partner_latitude": place.latitude,
                "partner_longitude": place.longitude,
            }
        )
        lead = cls.env["crm.lead"].create(
            {
                "name": f"Lead of {partner.name}",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": advisor.id,
                "source_id": cls.source.id,
            }
        )
        return cls._book(advisor=advisor, lead=lead, start=start, hours=hours)


@tagged("post_install", "-at_install")
class TestRoutingEngine(RoutingCommon):
    def _counting(self):
        """Patch the one door to the engine and count the requests through it."""
        calls = []
        real = travel._get_json

        def get_json(url, timeout):
            calls.append(url)
            return real(url, timeout)

        return calls, patch.object(travel, "_get_json", get_json)

    # The travel function

    def test_across_the_bay(self):
        matrix = travel.road_matrix(self.url, [CUSTOMER, ACROSS_THE_BAY])
        self.assertEqual(matrix.requests, 1)
        minutes, km = matrix.road(CUSTOMER, ACROSS_THE_BAY)
        estimate = travel.travel_minutes(CUSTOMER, ACROSS_THE_BAY, 40)
        crow_km = travel.great_circle_km(CUSTOMER, ACROSS_THE_BAY)
        self.assertLess(crow_km, 0.4)
        self.assertGreater(km, 2.0)  # around the bay
        self.assertGreater(minutes, 5 * estimate)
        self.assertEqual(
            travel.travel_minutes(CUSTOMER, ACROSS_THE_BAY, 40, matrix), minutes
        )
        self.assertEqual(
            travel.travel_source(CUSTOMER, ACROSS_THE_BAY, matrix), travel.ROAD
        )
        # The extract has no road back within it (its edge cuts the one-way
        # streets): null in the engine's answer, that pair alone estimated.
        self.assertIsNone(matrix.road(ACROSS_THE_BAY, CUSTOMER))
        self.assertEqual(
            travel.travel_source(ACROSS_THE_BAY, CUSTOMER, matrix), travel.ESTIMATE
        )

    def test_a_point_off_the_network_falls_back_for_its_pairs_only(self):
        places = [CUSTOMER, NEAR_BY_ROAD, OFF_THE_NETWORK]
        calls, counting = self._counting()
        with counting:
            matrix = travel.road_matrix(self.url, places)
        self.assertEqual(len(calls), 1)
        self.assertEqual(travel.travel_source(CUSTOMER, NEAR_BY_ROAD, matrix), "road")
        self.assertEqual(travel.travel_source(NEAR_BY_ROAD, CUSTOMER, matrix), "road")
        for other in (CUSTOMER, NEAR_BY_ROAD):
            self.assertIsNone(matrix.road(OFF_THE_NETWORK, other))
            self.assertIsNone(matrix.road(other, OFF_THE_NETWORK))
            self.assertEqual(
                travel.travel_minutes(other, OFF_THE_NETWORK, 40, matrix),
                travel.travel_minutes(other, OFF_THE_NETWORK, 40),
            )

    def test_a_server_that_does_not_answer_in_time(self):
        # A socket that takes the connection and never answers.
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(1)
            url = f"http://127.0.0.1:{silent.getsockname()[1]}"
            started = time.monotonic()
            matrix = travel.road_matrix(url, [CUSTOMER, NEAR_BY_ROAD], timeout=0.5)
            self.assertLess(time.monotonic() - started, 3)
        self.assertEqual(matrix.cells, {})
        self.assertTrue(matrix.error)
        self.assertEqual(
            travel.travel_source(CUSTOMER, NEAR_BY_ROAD, matrix), travel.ESTIMATE
        )

    @freeze_time("2031-03-01 12:00:00")
    def test_a_matrix_larger_than_the_server_takes(self):
        # A server taking at most 3 x 3 pairs a request (--max-table-size 3).
        port = free_port()
        small = routing("start", port, 3)
        self.addCleanup(routing, "stop", port)
        self.addCleanup(travel._BLOCKS.pop, small, None)
        places = [CUSTOMER, ACROSS_THE_BAY, FAR_BY_ROAD, NEAR_BY_ROAD, HOME]
        full = travel.road_matrix(self.url, places, cache=None)
        self.assertEqual((full.requests, full.error), (1, None))
        calls, counting = self._counting()
        with counting:
            split = travel.road_matrix(small, places, cache=None)
        self.assertIsNone(split.error)
        self.assertEqual(split.cells, full.cells, "the same drives, in blocks")
        self.assertGreater(split.requests, 1)
        self.assertEqual(len(calls), split.requests)
        # The next run splits at once, without being refused first.
        size = travel._BLOCKS[small]
        self.assertLessEqual(size, 3)
        again = travel.road_matrix(small, places, cache=None)
        self.assertEqual(again.requests, (-(-len(places) // size)) ** 2)
        self.assertEqual(again.cells, full.cells)
        # From one place only: one request, however many destinations.
        travel._BLOCKS.pop(small)
        nearest = travel.road_matrix(small, places, origins=[CUSTOMER], cache=None)
        self.assertEqual(nearest.requests, 1)
        self.assertEqual(
            nearest.road(CUSTOMER, ACROSS_THE_BAY), full.road(CUSTOMER, ACROSS_THE_BAY)
        )
        # The proposals on it: road drives, said so, as with a large server.
        self._two_advisors_monday()
        travel._BLOCKS.pop(small, None)
        self.company.sales_routing_url = small
        proposals = self._propose(self.coordinator)
        self.assertTrue(proposals)
        self.assertEqual({p["travel_source"] for p in proposals}, {"road"})

    # Proposals

    def _two_advisors_monday(self):
        far = self._visit_at(self.advisor, FAR_BY_ROAD, MONDAY + timedelta(hours=9))
        near = self._visit_at(self.advisor_3, NEAR_BY_ROAD, MONDAY + timedelta(hours=9))
        return far, near

    def _propose(self, user, **kwargs):
        return (
            self.env["sales.appointment.scheduler"]
            .with_user(user)
            .propose_slots(
                self.lead.id,
                date_from=MONDAY + timedelta(hours=7),
                days=1,
                **kwargs,
            )
        )

    @freeze_time("2031-03-01 12:00:00")
    def test_proposals_ranked_by_road_in_one_request(self):
        self._two_advisors_monday()
        calls, counting = self._counting()
        with counting:
            proposals = self._propose(self.coordinator)
        self.assertEqual(len(calls), 1, "one matrix request for the whole run")
        self.assertIn("/table/v1/driving/", calls[0])
        self.assertIn("annotations=duration,distance", calls[0])
        self.assertEqual(
            {p["advisor_id"] for p in proposals},
            {
                self.advisor.id,
                self.advisor_3.id,
            },
        )
        self.assertEqual({p["travel_source"] for p in proposals}, {"road"})
        best = proposals[0]
        self.assertEqual(best["advisor_id"], self.advisor_3.id)
        matrix = travel.road_matrix(self.url, [NEAR_BY_ROAD, CUSTOMER, HOME])
        self.assertAlmostEqual(
            best["drive_before_minutes"],
            matrix.road(NEAR_BY_ROAD, CUSTOMER)[0],
            delta=0.1,
        )
        self.assertAlmostEqual(
            best["drive_after_minutes"], matrix.road(CUSTOMER, HOME)[0], delta=0.1
        )
        far = next(p for p in proposals if p["advisor_id"] == self.advisor.id)
        self.assertLess(best["added_travel_minutes"], far["added_travel_minutes"])
        self.assertGreater(best["day_drive_minutes"], 0)

        # No server set: the estimate, said so, one request fewer.
        self.company.sales_routing_url = False
        calls.clear()
        with counting:
            estimated = self._propose(self.coordinator)
        self.assertEqual(calls, [])
        self.assertTrue(estimated)
        self.assertEqual({p["travel_source"] for p in estimated}, {"estimate"})

    @freeze_time("2031-03-01 12:00:00")
    def test_server_stopped_mid_run(self):
        self._two_advisors_monday()
        port = free_port()
        self.company.sales_routing_url = routing("start", port)
        try:
            self.assertEqual(
                {p["travel_source"] for p in self._propose(self.coordinator)},
                {"road"},
            )
        finally:
            routing("stop", port)
        # Its answers kept a few minutes would still serve the same run: the
        # next run that asks it after they expire gets the estimate.
        travel.LEGS.clear()
        proposals = self._propose(self.coordinator)
        self.assertTrue(proposals)
        self.assertEqual({p["travel_source"] for p in proposals}, {"estimate"})
        wizard = (
            self.env["sales.booking.wizard"]
            .with_user(self.coordinator)
            .create({"lead_id": self.lead.id, "date_from": MONDAY, "days": 1})
        )
        self.assertIn("Estimated", wizard.travel_note)
        self.assertEqual(set(wizard.proposal_ids.mapped("travel_source")), {"estimate"})

    @freeze_time("2031-03-01 12:00:00")
    def test_the_booking_check_drives_on_the_road(self):
        # Visits beyond the park end at 14:28 and start again at 15:33: an hour at
        # 14:30 fits the estimate's minute of drive, not the road's five.
        self._visit_at(self.advisor, FAR_BY_ROAD, MONDAY + timedelta(hours=13), 88 / 60)
        self._visit_at(
            self.advisor, FAR_BY_ROAD, MONDAY + timedelta(hours=15, minutes=33), 1.0
        )
        start = MONDAY + timedelta(hours=14, minutes=30)
        scheduler = self.env["sales.appointment.scheduler"].with_user(self.coordinator)
        with self.assertRefused(ValidationError, "travel included"):
            scheduler.book(
                self.lead.id, self.advisor.id, start, start + timedelta(hours=1)
            )
        proposed = {p["start"] for p in self._propose(self.coordinator, limit=50)}
        self.assertNotIn(start, proposed)
        self.company.sales_routing_url = False
        event = scheduler.book(
            self.lead.id, self.advisor.id, start, start + timedelta(hours=1)
        )
        self.assertEqual(event.start, start)

    @freeze_time("2031-03-01 12:00:00")
    def test_the_day_drive_limit(self):
        self._two_advisors_monday()
        proposals = self._propose(self.coordinator)
        self.company.sales_max_day_drive_minutes = int(
            min(p["day_drive_minutes"] for p in proposals) + 1
        )
        limited = self._propose(self.coordinator)
        self.assertTrue(limited)
        self.assertTrue(
            all(
                p["day_drive_minutes"] <= self.company.sales_max_day_drive_minutes
                for p in limited
            )
        )
        self.assertLess(len(limited), len(proposals))

    def _lead_at(self, place, name):
        partner = self.env["res.partner"].create(
            {
                "name": name,
                "partner_latitude": place.latitude,
                "partner_longitude": place.longitude,
            }
        )
        return self.env["crm.lead"].create(
            {
                "name": f"Lead of {name}",
                "type": "opportunity",
                "partner_id": partner.id,
                "source_id": self.source.id,
            }
        )

    @freeze_time("2031-03-01 12:00:00")
    def test_one_booking_asks_the_engine_at_most_once(self):
        self._two_advisors_monday()
        scheduler = self.env["sales.appointment.scheduler"].with_user(self.coordinator)
        calls, counting = self._counting()
        # Booked by hand, nothing asked before: the booking's check, one request.
        start = MONDAY + timedelta(hours=13)
        with counting:
            event = scheduler.book(
                self.lead.id, self.advisor_3.id, start, start + timedelta(hours=1)
            )
            # Its day read as My Day reads it: the same pairs, nothing more.
            event.invalidate_recordset()
            self.assertEqual(event.sales_drive_source, "road")
        self.assertEqual(len(calls), 1, "one request for the booking")
        # From the wizard, on Tuesday: its proposals ask once, and their answer
        # serves the nearest visits (Monday's, within the days the proposals
        # measured); booking a proposal and opening its appointment ask nothing.
        travel.LEGS.clear()
        calls.clear()
        tuesday = MONDAY + timedelta(days=1)
        lead = self._lead_at(NEAR_BY_ROAD, "Tuesday's customer")
        with counting:
            wizard = (
                self.env["sales.booking.wizard"]
                .with_user(self.coordinator)
                .create({"lead_id": lead.id, "date_from": tuesday, "days": 1})
            )
            self.assertEqual(len(calls), 1, "the proposals and the nearest visits")
            self.assertEqual(
                wizard.travel_note, "From the road network (routing server)."
            )
            proposal = wizard.proposal_ids[0]
            self.assertEqual(proposal.travel_source, "road")
            booked = self.env["calendar.event"].browse(proposal.action_book()["res_id"])
            booked.invalidate_recordset()
            self.assertEqual(booked.sales_drive_source, "road")
        self.assertEqual(len(calls), 1, "the booking asked nothing more")
        # Two visits booked at once (an import, a client's create): one request.
        travel.LEGS.clear()
        calls.clear()
        wednesday = MONDAY + timedelta(days=2)
        with counting:
            self.env["calendar.event"].with_user(self.coordinator).create(
                [
                    self._appointment_values(
                        advisor=self.advisor,
                        lead=self._lead_at(FAR_BY_ROAD, "First on Wednesday"),
                        start=wednesday + timedelta(hours=9),
                    ),
                    self._appointment_values(
                        advisor=self.advisor_3,
                        lead=self._lead_at(ACROSS_THE_BAY, "Second on Wednesday"),
                        start=wednesday + timedelta(hours=9),
                    ),
                ]
            )
        self.assertEqual(len(calls), 1, "one request for the batch")

    def test_the_engines_answers_are_kept_a_while(self):
        now = [1000.0]
        cache = travel.LegCache(ttl=60, clock=lambda: now[0])
        url = self.url
        places = [CUSTOMER, NEAR_BY_ROAD, OFF_THE_NETWORK]
        calls, counting = self._counting()
        with counting:
            first = travel.road_matrix(url, places, cache=cache)
            again = travel.road_matrix(url, places[::-1], cache=cache)
            part = travel.road_matrix(url, places[:2], cache=cache)
        self.assertEqual(len(calls), 1)
        self.assertEqual((first.requests, again.requests, part.requests), (1, 0, 0))
        self.assertEqual(again.cells, first.cells)
        self.assertEqual(
            part.road(CUSTOMER, NEAR_BY_ROAD), first.road(CUSTOMER, NEAR_BY_ROAD)
        )
        # The pairs the engine could not route are kept as such: estimated.
        self.assertIsNone(again.road(CUSTOMER, OFF_THE_NETWORK))
        # A pair not asked yet: one request.
        with counting:
            travel.road_matrix(url, [CUSTOMER, FAR_BY_ROAD], cache=cache)
        self.assertEqual(len(calls), 2)
        # Expired: asked again.
        now[0] += 61
        with counting:
            expired = travel.road_matrix(url, places[:2], cache=cache)
        self.assertEqual((len(calls), expired.requests), (3, 1))
        # A server that does not answer is not kept: asked again on the next run.
        stopped = f"http://127.0.0.1:{free_port()}"
        with counting:
            travel.road_matrix(stopped, places, cache=cache)
            travel.road_matrix(stopped, places, cache=cache)
        self.assertEqual(len(calls), 5)

    # The nearest visits

    @freeze_time("2031-03-01 12:00:00")
    def test_nearest_appointments(self):
        far, near = self._two_advisors_monday()
        # Another coordinator's advisor has a visit next door: not theirs to book.
        theirs = self._visit_at(self.advisor_2, CUSTOMER, MONDAY + timedelta(hours=14))
        # Gone by: not upcoming.
        with freeze_time("2031-02-20 12:00:00"):
            past = self._visit_at(self.advisor_3, CUSTOMER, datetime(2031, 2, 27, 9, 0))
        calls, counting = self._counting()
        scheduler = self.env["sales.appointment.scheduler"]
        with counting:
            found = scheduler.with_user(self.coordinator).nearest_appointments(
                self.lead.id, limit=5
            )
        self.assertEqual(len(calls), 1)
        # By the crow the far one is nearer; by road the near one.
        self.assertLess(
            travel.great_circle_km(CUSTOMER, FAR_BY_ROAD),
            travel.great_circle_km(CUSTOMER, NEAR_BY_ROAD),
        )
        self.assertEqual([line["event_id"] for line in found], [near.id, far.id])
        self.assertEqual({line["travel_source"] for line in found}, {"road"})
        self.assertLess(found[0]["drive_minutes"], 3)
        self.assertGreater(found[1]["drive_minutes"], 4)
        self.assertNotIn(past.id, [line["event_id"] for line in found])
        # The other coordinator sees their own advisor's visit only.
        theirs_found = scheduler.with_user(self.other_coordinator).nearest_appointments(
            self.lead_2.id
        )
        self.assertEqual([line["event_id"] for line in theirs_found], [theirs.id])
        self.assertEqual(
            scheduler.with_user(self.manager).nearest_appointments(self.lead.id, 1)[0][
                "event_id"
            ],
            theirs.id,
        )
        # The wizard lists them.
        wizard = (
            self.env["sales.booking.wizard"]
            .with_user(self.coordinator)
            .create({"lead_id": self.lead.id, "date_from": MONDAY, "days": 1})
        )
        self.assertEqual(wizard.nearest_ids.mapped("event_id"), near | far)
        self.assertEqual(wizard.travel_note, "From the road network (routing server).")

    # The day as a route

    @freeze_time("2031-03-01 12:00:00")
    def test_my_day_as_a_route(self):
        first = self._visit_at(self.advisor, NEAR_BY_ROAD, MONDAY + timedelta(hours=9))
        second = self._visit_at(self.advisor, FAR_BY_ROAD, MONDAY + timedelta(hours=13))
        # Another advisor's day is another route.
        self._visit_at(self.advisor_3, CUSTOMER, MONDAY + timedelta(hours=10))
        matrix = travel.road_matrix(self.url, [HOME, NEAR_BY_ROAD, FAR_BY_ROAD])
        home_near = matrix.road(HOME, NEAR_BY_ROAD)[0]
        near_far = matrix.road(NEAR_BY_ROAD, FAR_BY_ROAD)[0]
        far_home = matrix.road(FAR_BY_ROAD, HOME)[0]
        calls, counting = self._counting()
        for user in (self.advisor, self.coordinator, self.manager):
            with self.subTest(user=user.login):
                visits = (first | second).with_user(user)
                visits.invalidate_recordset()
                calls.clear()
                travel.LEGS.clear()
                with counting:
                    # As My Day's kanban and the calendar's list read them.
                    before, after = visits.read(
                        [
                            "sales_drive_minutes",
                            "sales_day_drive_minutes",
                            "sales_drive_source",
                        ]
                    )
                self.assertAlmostEqual(
                    before["sales_drive_minutes"], home_near, delta=0.1
                )
                self.assertAlmostEqual(
                    after["sales_drive_minutes"], near_far, delta=0.1
                )
                self.assertAlmostEqual(
                    after["sales_day_drive_minutes"],
                    home_near + near_far + far_home,
                    delta=0.2,
                )
                self.assertEqual(
                    {before["sales_drive_source"], after["sales_drive_source"]},
                    {"road"},
                )
                self.assertEqual(len(calls), 1, "one matrix request for the days read")
        self.company.sales_routing_url = False
        (first | second).invalidate_recordset()
        self.assertEqual(
            set((first | second).with_user(self.advisor).mapped("sales_drive_source")),
            {"estimate"},
        )

    @freeze_time("2031-03-01 12:00:00")
    def test_the_boards_week_drive_on_the_road(self):
        first = self._visit_at(self.advisor, NEAR_BY_ROAD, MONDAY + timedelta(hours=9))
        self._visit_at(self.advisor, FAR_BY_ROAD, MONDAY + timedelta(hours=13))
        tuesday = self._visit_at(
            self.advisor, ACROSS_THE_BAY, MONDAY + timedelta(days=1, hours=9)
        )
        days = (first | tuesday).with_user(self.manager)
        expected = round(sum(days.mapped("sales_day_drive_minutes")))
        self.assertEqual(set(days.mapped("sales_drive_source")), {"road"})
        travel.LEGS.clear()
        calls, counting = self._counting()
        with counting:
            row = (
                self.env["sales.report.advisor"]
                .with_user(self.manager)
                .search(
                    [
                        ("advisor_id", "=", self.advisor.id),
                        ("week_start", "=", MONDAY.date()),
                    ]
                )
            )
            self.assertEqual(row.drive_minutes, expected)
        self.assertGreater(expected, 0)
        self.assertEqual(len(calls), 1, "one matrix request for the rows read")

    @freeze_time("2031-03-01 12:00:00")
    def test_many_days_are_asked_in_groups(self):
        # Each day's route needs only its own pairs: many days are asked in
        # groups of days (a request each), the figures the same as in one.
        visits = self._visit_at(
            self.advisor, NEAR_BY_ROAD, MONDAY + timedelta(hours=9)
        ) | self._visit_at(self.advisor, FAR_BY_ROAD, MONDAY + timedelta(hours=13))
        visits |= self._visit_at(
            self.advisor_3, ACROSS_THE_BAY, MONDAY + timedelta(days=1, hours=9)
        )
        fields = [
            "sales_drive_minutes",
            "sales_day_drive_minutes",
            "sales_drive_source",
        ]
        Scheduler = type(self.env["sales.appointment.scheduler"])
        calls, counting = self._counting()
        figures = {}
        for size in (60, 3):
            with (
                self.subTest(group=size),
                patch.object(Scheduler, "_ROUTE_GROUP_PLACES", size),
            ):
                travel.LEGS.clear()
                calls.clear()
                visits.invalidate_recordset()
                with counting:
                    figures[size] = visits.with_user(self.manager).read(fields)
                # Monday's three places (home, two visits) and Tuesday's two:
                # one group of both, or a group each.
                self.assertEqual(len(calls), 1 if size == 60 else 2)
        self.assertEqual(figures[3], figures[60])
        self.assertEqual({line["sales_drive_source"] for line in figures[3]}, {"road"})

    # The demo's branch in Helsinki

    def test_demo_branch_books_on_road_times(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "sales_coordination")]
        )
        if not module.demo:
            self.skipTest("installed without demo data")
        ref = self.env.ref
        lead = ref("sales_coordination.crm_lead_helsinki_03_demo")
        coordinator = ref("sales_coordination.user_coordinator_1_demo")
        visits = ref("sales_coordination.calendar_event_helsinki_01_demo") | ref(
            "sales_coordination.calendar_event_helsinki_02_demo"
        )
        # The Monday of the week the demo's visits are in, as the coordinator
        # books on it.
        monday = visits[0].start.replace(hour=0, minute=0) - timedelta(
            days=visits[0].start.weekday()
        )
        with freeze_time(monday - timedelta(days=2)):
            wizard = (
                self.env["sales.booking.wizard"]
                .with_user(coordinator)
                .create({"lead_id": lead.id, "date_from": monday, "days": 5})
            )
            helsinki = wizard.proposal_ids.filtered(
                lambda p: p.advisor_id == ref("sales_coordination.user_helsinki_demo")
            )
            self.assertTrue(helsinki)
            self.assertEqual(set(helsinki.mapped("travel_source")), {"road"})
            self.assertEqual(wizard.nearest_ids[:2].event_id, visits)
            self.assertEqual(
                set(wizard.nearest_ids[:2].mapped("travel_source")), {"road"}
            )

    # Who sets the server

    def test_only_the_settings_administrator_sets_the_server(self):
        # The server is an address Odoo itself calls: nobody of the sales roles
        # may point it elsewhere, the company's manager included.
        for user in (self.coordinator, self.manager, self.advisor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.company.with_user(user).write(
                    {"sales_routing_url": "http://attacker.example:80"}
                )
        admin = self._new_user("sc_admin", f"base.group_system,{COORDINATOR_GROUPS}")
        self.company.with_user(admin).write({"sales_routing_url": self.url})
        with self.assertRefused(ValidationError, "http://"):
            self.company.with_user(admin).write(
                {"sales_routing_url": "file:///etc/passwd"}
            )
        with self.assertRefused(ValidationError, "negative"):
            self.company.with_user(admin).write({"sales_max_day_drive_minutes": -5})


@tagged("post_install", "-at_install")
class TestRoutingUi(RoutingCommon, HttpCase):
    """The booking wizard on the real engine, in a browser."""

    browser_size = "1400x900"

    def test_booking_wizard_on_the_road(self):
        # The next weekday at least two days ahead, whatever the hour the suite
        # runs at: the wizard searches from the browser's now.
        day = datetime.combine(datetime.now().date(), datetime.min.time())
        day += timedelta(days=2)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self._visit_at(self.advisor_3, NEAR_BY_ROAD, day + timedelta(hours=9))
        action = "action-sales_coordination.crm_lead_action_coordination"
        self.start_tour(
            f"/odoo/{action}/{self.lead.id}",
            "sales_coordination_booking_road",
            login="sc_coordinator",
        )
