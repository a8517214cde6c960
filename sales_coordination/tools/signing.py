"""How an integration signs what it posts to /sales_coordination/inbound: the hex
HMAC-SHA256, with its secret, of the Unix timestamp, a dot, the integration's id
(X-Integration), a dot and the raw body. Plain Python: senders, tests and
benchmarks sign with the same function.

The id inside the signed string binds a request to one integration: two
integrations that were given one secret do not accept each other's requests.
Senders of the previous version signed ``<timestamp>.<raw body>``; the endpoint
still accepts that for this version, with a warning in the log."""

import hashlib
import hmac
import time


def sign(secret, timestamp, body, integration_id=None):
    """Hex HMAC-SHA256 of ``<timestamp>.<integration_id>.<body>`` (``body`` in
    bytes); without ``integration_id``, of the previous version's
    ``<timestamp>.<body>``."""
    message = str(timestamp).encode() + b"."
    if integration_id is not None:
        message += str(integration_id).encode() + b"."
    return hmac.new(secret.encode(), message + body, hashlib.sha256).hexdigest()


def signed_headers(integration_id, secret, body, timestamp=None):
    """The headers of a signed request posting ``body``."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json",
        "X-Integration": str(integration_id),
        "X-Timestamp": timestamp,
        "X-Signature": sign(secret, timestamp, body, integration_id),
    }
