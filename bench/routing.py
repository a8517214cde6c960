"""Road time against the great-circle estimate, on the real engine.

On the Helsinki extract (OSRM started by scripts/routing.sh), 200 customers and 20
advisors over two weeks are booked one by one by a simulated coordinator taking
the first proposal of the addon's slot search (sales_coordination/tools/slots.py),
once ranked by the estimate and once by the road. For both plans the engine then
measures the planned driving; and the share of booked days whose drives do not fit
the gaps the estimate left. Last, the time of a proposal run with its one matrix
request against the same run on the estimate.

Usage: python bench/routing.py --config CONF [--customers 200] [--advisors 20]
           [--seed 7]
Runs with the Odoo environment's Python and an Odoo configuration whose addons path
holds the addon (it imports the addon's pure tools; no database is used). `make
bench` runs it (scripts/bench.sh: BENCH_ROUTING_CUSTOMERS, BENCH_ROUTING_ADVISORS),
and its figures go to docs/performance.md with the others.

Every run asks the engine afresh (no cache of its answers): the time measured is
that of a run whose pairs the engine was never asked, the worst case.
"""

import argparse
import json
import random
import socket
import statistics
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from odoo.tools import config

slots = travel = Place = None  # the addon's tools, imported once the addons path is set

TOP = Path(__file__).resolve().parents[1]
MONDAY = datetime(2031, 3, 3)
DURATION = timedelta(minutes=90)
# The extract's centre, where its car network is connected.
BOX = (60.163, 60.180, 24.935, 24.955)


def engine(*args):
    return subprocess.run(
        ["bash", str(TOP / "scripts" / "routing.sh"), *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def get(url):
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def routable_places(url):
    """Points of the extract's car network, each reachable from and to at least half
    of the others (the extract's main component; its edges cut the rest off)."""
    found = {}
    lat = BOX[0]
    while lat <= BOX[1]:
        lon = BOX[2]
        while lon <= BOX[3]:
            waypoint = get(f"{url}/nearest/v1/driving/{lon:.6f},{lat:.6f}")[
                "waypoints"
            ][0]
            if waypoint["distance"] < 40:
                lon_s, lat_s = waypoint["location"]
                found[(round(lat_s, 6), round(lon_s, 6))] = None
            lon += 0.0012
        lat += 0.0008
    places = [Place(lat, lon) for lat, lon in found]
    matrix = travel.road_matrix(url, places, timeout=30, cache=None)
    return [
        a
        for a in places
        if sum(
            matrix.road(a, b) is not None and matrix.road(b, a) is not None
            for b in places
        )
        >= 0.5 * len(places)
    ]


def agendas(homes):
    working = [
        (
            MONDAY + timedelta(days=day, hours=8),
            MONDAY + timedelta(days=day, hours=17),
        )
        for day in range(12)
        if (MONDAY + timedelta(days=day)).weekday() < 5
    ]
    return [
        slots.AdvisorAgenda(
            advisor_id=index,
            working=list(working),
            daily_capacity=4,
            weekly_capacity=20,
            home=home,
        )
        for index, home in enumerate(homes)
    ]


def simulate(url, homes, customers, road):
    """Book every customer on the first proposal; the run times in ms."""
    plan = agendas(homes)
    times = []
    requests = 0
    for number, customer in enumerate(customers):
        started = time.perf_counter()
        matrix = travel.RoadMatrix()
        if road:
            places = [customer, *homes] + [
                a.place for agenda in plan for a in agenda.appointments
            ]
            matrix = travel.road_matrix(url, places, cache=None)
            requests += matrix.requests
        settings = slots.TravelSettings(matrix=matrix)
        proposals = slots.propose(plan, customer, DURATION, travel=settings, limit=1)
        times.append((time.perf_counter() - started) * 1000)
        if proposals:
            best = proposals[0]
            agenda = plan[best.advisor_id]
            agenda.appointments.append(
                slots.Appointment(best.start, best.stop, customer, number)
            )
    return plan, times, requests


def measured(plan, matrix):
    """Road minutes of driving of the plan, and its days whose drives overrun."""
    road = slots.TravelSettings(matrix=matrix)
    total = 0.0
    days = overrun = 0
    for agenda in plan:
        by_day = {}
        for appointment in sorted(agenda.appointments, key=lambda a: a.start):
            by_day.setdefault(appointment.start.date(), []).append(appointment)
        for visits in by_day.values():
            days += 1
            total += slots.day_drive(agenda, [v.place for v in visits], road)
            if any(
                a.stop + timedelta(minutes=road.leg(a.place, b.place)) > b.start
                for a, b in zip(visits, visits[1:], strict=False)
            ):
                overrun += 1
    return total, days, overrun


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--advisors", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config])
    global slots, travel, Place
    from odoo.addons.sales_coordination.tools import slots, travel
    from odoo.addons.sales_coordination.tools.travel import Place

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = engine("start", port)
    try:
        places = routable_places(url)
        rng = random.Random(args.seed)
        homes = [rng.choice(places) for _ in range(args.advisors)]
        customers = [rng.choice(places) for _ in range(args.customers)]
        full = travel.road_matrix(url, places, timeout=60, cache=None)
        print(
            f"road against the estimate (bench/routing.py): {args.customers} "
            f"customers, {args.advisors} advisors, two weeks, on the Helsinki "
            f"extract's {len(places)} routable places"
        )
        results = {}
        for name, road in (("estimate", False), ("road", True)):
            plan, times, requests = simulate(url, homes, customers, road)
            booked = sum(len(a.appointments) for a in plan)
            total, days, overrun = measured(plan, full)
            results[name] = times
            print(
                f"ranked by {name:8}: {booked} booked on {days} advisor-days, "
                f"{total:.0f} min of driving (by road), "
                f"{overrun / max(days, 1):.1%} of days overrun by road, "
                f"propose median {statistics.median(times):.1f} ms, "
                f"{requests} matrix requests for {len(times)} runs"
            )
        ratio = statistics.median(results["road"]) / statistics.median(
            results["estimate"]
        )
        print(f"propose with the engine / on the estimate: {ratio:.2f}x (goal <= 1.5x)")
    finally:
        engine("stop", port)


if __name__ == "__main__":
    main()
