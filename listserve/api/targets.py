"""Is a webhook URL a safe place to send to? Refuse what points inside our own network."""

import ipaddress
import socket
from urllib.parse import urlsplit

from flask_babel import gettext as _


class TargetRefused(ValueError):
    """The URL may not receive webhooks; the message says why."""


def check_target(url: str, allow_private: bool) -> list[str]:
    """The addresses `url`'s host resolves to. Raises TargetRefused for a URL that is not
    http(s) with a host, a host that does not resolve, or (unless allowed) any address that is
    not public."""
    if len(url) > 2000 or any(ch in url for ch in "\r\n\0 "):
        raise TargetRefused(_("That is not a URL we can send to."))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(_("The URL must start with https:// (or http://) and name a host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        raise TargetRefused(
            _("The host %(host)s could not be found.", host=parts.hostname)) from None
    addresses = sorted({info[4][0] for info in found})
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise TargetRefused(
                    _("%(host)s resolves to %(address)s, a private or local address: "
                      "webhooks only go to public addresses.", host=parts.hostname, address=address)
                )
    return addresses
