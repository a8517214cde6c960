"""Travel estimates between customers' homes, without the ORM.

Everything that estimates a drive goes through ``travel_minutes``, so that a
road-network provider can replace the great-circle estimate in one place.
"""

import math
from dataclasses import dataclass

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


def travel_minutes(a, b, speed_kmh=40.0):
    """Minutes of driving from ``a`` to ``b`` at ``speed_kmh``."""
    if speed_kmh <= 0:
        raise ValueError("The travel speed must be positive.")
    return distance_km(a, b) / speed_kmh * 60
