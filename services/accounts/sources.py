"""Where a request comes from, for counting failed logins and code requests per source.

Behind a proxy every request arrives from the proxy; the proxy names the client in
X-Forwarded-For. That header is trusted only from a proxy named in PORTAL_TRUSTED_PROXIES,
and only the entries that proxy (and any trusted one before it) added: the client writes
whatever it likes into the header it sends.
"""

from __future__ import annotations

LOCAL = "127.0.0.1"


def client_source(peer: str | None, forwarded_for: list[str], trusted: tuple[str, ...]) -> str:
    """The client's address: the peer, or, from a trusted proxy, the nearest untrusted address it forwards."""
    peer = peer or LOCAL
    if peer not in trusted:
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer
