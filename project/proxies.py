"""The X-Forwarded-* headers, believed from the trusted proxies only (werkzeug's ProxyFix for their requests)."""

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address

from werkzeug.middleware.proxy_fix import ProxyFix


class ForwardedFromProxies:
    """WSGI middleware: a request from a trusted proxy's address goes through ProxyFix (the client's address,
    scheme and host from its headers); anyone else's, such as a client reaching gunicorn's port directly with
    a forged X-Forwarded-For, reaches the app as it came. nginx sends no X-Forwarded-Port, so none is believed."""

    def __init__(self, app, proxies: Iterable[IPv4Network | IPv6Network], hops: int) -> None:
        self.app = app
        self.forwarded = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        self.proxies = tuple(proxies)

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR")
        if peer and self.trusts(peer):
            return self.forwarded(environ, start_response)
        return self.app(environ, start_response)

    def trusts(self, peer: str) -> bool:
        """Whether an address (a connection's REMOTE_ADDR) is one of the trusted proxies'."""
        try:
            address = ip_address(peer)
        except ValueError:  # not an IP connection (a unix socket)
            return False
        return any(address in network for network in self.proxies)
