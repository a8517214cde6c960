"""Travel between customers' homes, without the ORM.

Everything that needs a drive goes through ``travel_minutes``: the road network's
minutes when a ``RoadMatrix`` (one answer of a routing engine, OSRM's table service)
holds the pair, else the great-circle estimate (or a postcode guess). ``travel_source``
says which of the two a pair's minutes come from.

The engine's answers are kept a few minutes (``LEGS``, per Odoo process): a run
whose pairs were all asked already (the booking right after its proposals, the day's
route read after the booking) sends no request.
"""

import json
import logging
import math
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

_logger = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0
# Detour factor from the great circle to the road network.
ROAD_FACTOR = 1.3
# Distance assumed from postcodes alone, when coordinates are missing: same
# postcode, same first three characters, same first two, else.
POSTCODE_KM = ((5, 3.0), (3, 12.0), (2, 35.0))
UNKNOWN_KM = 60.0


@dataclass(frozen=True)
class Place:
    """Where an appointment is: coordinates when known, else a postcode."""

    latitude: float | None = None
    longitude: float | None = None
    postcode: str | None = None

    @property
    def has_coordinates(self):
        return (
            self.latitude is not None
            and self.longitude is not None
            and (self.latitude or self.longitude)
        )


def great_circle_km(a, b):
    """Haversine distance in kilometres between two places with coordinates."""
    lat1, lon1, lat2, lon2 = map(
        math.radians, (a.latitude, a.longitude, b.latitude, b.longitude)
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def postcode_km(a, b):
    """Distance guessed from how much of the postcodes two places share."""
    code_a = (a.postcode or "").replace(" ", "").upper()
    code_b = (b.postcode or "").replace(" ", "").upper()
    if not code_a or not code_b:
        return UNKNOWN_KM
    if code_a == code_b:
        return POSTCODE_KM[0][1]
    for length, km in POSTCODE_KM[1:]:
        if code_a[:length] == code_b[:length]:
            return km
    return UNKNOWN_KM


def distance_km(a, b):
    if a is None or b is None:
        return UNKNOWN_KM
    if a.has_coordinates and b.has_coordinates:
        return great_circle_km(a, b) * ROAD_FACTOR
    return postcode_km(a, b)


ROAD = "road"
ESTIMATE = "estimate"
# Seconds a proposal run waits for the routing engine before it estimates.
ROAD_TIMEOUT = 2.0
# A point further than this from the road the engine snaps it to is off the network
# (OSRM snaps any coordinate to the nearest road, however far).
MAX_SNAP_METRES = 500.0


def _key(place):
    if place is None or not place.has_coordinates:
        return None
    return (round(place.latitude, 6), round(place.longitude, 6))


@dataclass
class RoadMatrix:
    """Drive minutes and kilometres between places, from one answer of the routing
    engine: only the pairs it routed; any other pair is estimated."""

    cells: dict = field(default_factory=dict)  # {(key a, key b): (minutes, km)}
    requests: int = 0
    error: str | None = None

    def road(self, a, b):
        """(minutes, km) of the road from ``a`` to ``b``, or None."""
        key_a, key_b = _key(a), _key(b)
        if key_a is None or key_b is None:
            return None
        if key_a == key_b:
            return (0.0, 0.0)
        return self.cells.get((key_a, key_b))


NO_ROADS = RoadMatrix()

# How long, in seconds, an answer of the engine is reused, and for how many pairs:
# roads do not change by the minute; a run of 20 advisors over two weeks measures
# up to about 50,000 pairs (some 35 MB for a full cache).
LEGS_TTL = 600.0
LEGS_SIZE = 100_000


class LegCache:
    """The engine's answers by pair, per server: ``(minutes, km)``, or None for a
    pair it could not route (so that it is not asked again). Thread-safe (Odoo's
    threaded server); each process has its own, and nothing in it is a decision:
    only what the engine answered, for at most ``ttl`` seconds."""

    def __init__(self, ttl=LEGS_TTL, size=LEGS_SIZE, clock=time.monotonic):
        self.ttl, self.size, self.clock = ttl, size, clock
        self._lock = threading.Lock()
        self._legs = {}  # {(server, key a, key b): (expires, value)}, oldest first

    def clear(self):
        with self._lock:
            self._legs.clear()

    def get(self, server, pairs):
        """{pair: value} when every pair is known and fresh, else None."""
        now = self.clock()
        found = {}
        with self._lock:
            for key_a, key_b in pairs:
                entry = self._legs.get((server, key_a, key_b))
                if entry is None or entry[0] < now:
                    return None
                found[(key_a, key_b)] = entry[1]
        return found

    def put(self, server, values):
        if len(values) > self.size:
            # A run larger than the cache could never be served from it whole.
            return
        expires = self.clock() + self.ttl
        with self._lock:
            for (key_a, key_b), value in values.items():
                key = (server, key_a, key_b)
                self._legs.pop(key, None)  # re-inserted as the newest
                self._legs[key] = (expires, value)
            overflow = len(self._legs) - self.size
            if overflow > 0:
                for key in list(self._legs)[:overflow]:
                    del self._legs[key]


LEGS = LegCache()


def _get_json(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return json.loads(answer.read())


class _TooBig(Exception):
    """The server refused a table larger than its ``--max-table-size``."""


class _NoMatrix(Exception):
    """The server gave no usable answer (the message says why)."""


# The largest block (sources x destinations, each at most this many places) each
# server accepted, once it refused a larger one: the next runs split their
# matrix at once rather than be refused again. Per process, like LEGS.
_BLOCKS = {}
# After a refusal, the next try's blocks are this much smaller (OSRM refuses when
# sources x destinations exceed the square of its --max-table-size).
_BLOCK_SHRINK = 0.7


def _chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def _block(url, rows, cols, timeout, max_snap):
    """One request: the drives from ``rows`` to ``cols`` (keys), as
    {(a, b): (minutes, km) or None}."""
    keys = list(dict.fromkeys([*rows, *cols]))
    index = {key: i for i, key in enumerate(keys)}
    coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in keys)
    request = f"{url}/table/v1/driving/{coordinates}?annotations=duration,distance"
    if len(rows) < len(keys):
        request += "&sources=" + ";".join(str(index[key]) for key in rows)
    if len(cols) < len(keys):
        request += "&destinations=" + ";".join(str(index[key]) for key in cols)
    try:
        payload = _get_json(request, timeout)
    except urllib.error.HTTPError as error:
        # OSRM says why in a JSON body: TooBig is the one to split for.
        try:
            code = json.loads(error.read()).get("code")
        except (OSError, ValueError, AttributeError):
            code = None
        if code == "TooBig":
            raise _TooBig() from error
        raise _NoMatrix(f"{error} ({code})" if code else str(error)) from error
    except (OSError, ValueError) as error:
        # URLError, timeouts, bad JSON.
        raise _NoMatrix(str(error) or type(error).__name__) from error
    if not isinstance(payload, dict) or payload.get("code") != "Ok":
        code = payload.get("code") if isinstance(payload, dict) else None
        if code == "TooBig":
            raise _TooBig()
        raise _NoMatrix(str(code or "no answer"))
    try:
        from_snapped = [
            (waypoint or {}).get("distance", 0.0) <= max_snap
            for waypoint in payload["sources"]
        ]
        to_snapped = [
            (waypoint or {}).get("distance", 0.0) <= max_snap
            for waypoint in payload["destinations"]
        ]
        durations, distances = payload["durations"], payload["distances"]
        answered = {}
        for i, key_a in enumerate(rows):
            for j, key_b in enumerate(cols):
                if key_a == key_b:
                    continue
                seconds, metres = durations[i][j], distances[i][j]
                routed = seconds is not None and metres is not None
                answered[(key_a, key_b)] = (
                    (seconds / 60.0, metres / 1000.0)
                    if routed and from_snapped[i] and to_snapped[j]
                    else None
                )
    except (KeyError, IndexError, TypeError) as error:
        raise _NoMatrix("malformed answer") from error
    return answered


def road_matrix(
    url,
    places,
    origins=None,
    timeout=ROAD_TIMEOUT,
    max_snap=MAX_SNAP_METRES,
    cache=LEGS,
):
    """The drive between every two of ``places`` that have coordinates (only from
    ``origins`` when given), from the OSRM server at ``url`` (its base URL): one
    request, none when ``cache`` knows every pair already, or a few when the
    server refuses a table that large (its ``--max-table-size``): then the matrix
    is asked in blocks. Never raises: a server that is not set, does not answer in
    ``timeout`` seconds (each request) or refuses otherwise gives an empty matrix
    (every pair estimated); a pair the engine cannot route (a point off the
    network, or no road between them: null in its answer) is left out, and
    estimated."""
    sources = None
    if origins is not None:
        sources = list(dict.fromkeys(k for k in map(_key, origins) if k is not None))
        places = [*origins, *places]
    keys = list(dict.fromkeys(k for k in map(_key, places) if k is not None))
    if not url or len(keys) < 2 or sources == []:
        return RoadMatrix()
    rows = keys[: len(sources)] if sources else keys
    base = url.rstrip("/")
    server = (base, max_snap)
    if cache is not None:
        known = cache.get(server, ((a, b) for a in rows for b in keys if a != b))
        if known is not None:
            return RoadMatrix(
                cells={pair: leg for pair, leg in known.items() if leg is not None}
            )
    started = time.monotonic()
    requests = 0
    size = min(_BLOCKS.get(base, len(keys)), len(keys))
    while True:
        answered = {}
        try:
            for row_block in _chunks(rows, size):
                for col_block in _chunks(keys, size):
                    requests += 1
                    answered.update(
                        _block(base, row_block, col_block, timeout, max_snap)
                    )
            break
        except _TooBig:
            if size <= 1:
                _logger.info("routing engine %s refused a table of one", url)
                return RoadMatrix(requests=requests, error="TooBig")
            size = max(1, int(size * _BLOCK_SHRINK))
            _BLOCKS[base] = size
        except _NoMatrix as error:
            _logger.info("routing engine %s gave no matrix: %s", url, error)
            return RoadMatrix(requests=requests, error=str(error))
    if cache is not None:
        cache.put(server, answered)
    cells = {pair: leg for pair, leg in answered.items() if leg is not None}
    _logger.debug(
        "routing engine: %s places in %s requests, %.0f ms",
        len(keys),
        requests,
        (time.monotonic() - started) * 1000,
    )
    return RoadMatrix(cells=cells, requests=requests)


def travel_minutes(a, b, speed_kmh=40.0, matrix=NO_ROADS):
    """Minutes of driving from ``a`` to ``b``: the road's when ``matrix`` has the
    pair, else the estimate at ``speed_kmh``."""
    road = matrix.road(a, b)
    if road is not None:
        return road[0]
    if speed_kmh <= 0:
        raise ValueError("The travel speed must be positive.")
    return distance_km(a, b) / speed_kmh * 60


def travel_source(a, b, matrix=NO_ROADS):
    """Where the minutes of ``travel_minutes(a, b, ...)`` come from."""
    return ROAD if matrix.road(a, b) is not None else ESTIMATE
