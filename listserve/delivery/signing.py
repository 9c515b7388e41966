"""DKIM signing (dkimpy) of the exact bytes a copy is sent as, when a key is configured."""

from functools import lru_cache
from pathlib import Path

import dkim
from flask import current_app

# Everything a reader or a filter relies on; From and the two unsubscribe headers are named
# twice ("oversigned") so that nobody can add a second one after signing.
SIGNED_HEADERS = (
    "from", "to", "subject", "date", "message-id", "list-id", "list-unsubscribe",
    "list-unsubscribe-post", "list-archive", "list-post", "mime-version", "content-type",
    "from", "list-unsubscribe", "list-unsubscribe-post",
)


class Signer:
    def __init__(self, selector: str, domain: str, private_key: bytes):
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("ascii")
        self.private_key = private_key
        self.headers = [h.encode("ascii") for h in SIGNED_HEADERS]

    def sign(self, message: bytes) -> bytes:
        """The message with its DKIM-Signature header in front."""
        signature = dkim.sign(
            message, self.selector, self.domain, self.private_key,
            canonicalize=(b"relaxed", b"relaxed"), include_headers=self.headers,
        )
        return signature + message


@lru_cache(maxsize=4)
def _read_key(path: str) -> bytes:
    return Path(path).read_bytes()


def configured_signer() -> Signer | None:
    """A Signer when DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH are set, else None."""
    cfg = current_app.config
    if not (cfg.get("DKIM_SELECTOR") and cfg.get("DKIM_PRIVATE_KEY_PATH")):
        return None
    domain = cfg.get("DKIM_DOMAIN") or cfg["LIST_DOMAIN"]
    return Signer(cfg["DKIM_SELECTOR"], domain, _read_key(cfg["DKIM_PRIVATE_KEY_PATH"]))
