"""How an integration signs what it posts to /sales_coordination/inbound: the hex
HMAC-SHA256, with its secret, of the Unix timestamp, a dot and the raw body.
Plain Python: senders, tests and benchmarks sign with the same function."""

import hashlib
import hmac
import time


def sign(secret, timestamp, body):
    """Hex HMAC-SHA256 of ``<timestamp>.<body>`` (``body`` in bytes)."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(integration_id, secret, body, timestamp=None):
    """The headers of a signed request posting ``body``."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json",
        "X-Integration": str(integration_id),
        "X-Timestamp": timestamp,
        "X-Signature": sign(secret, timestamp, body),
    }
