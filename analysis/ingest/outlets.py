"""Known outlets: names, the domains and byline aliases that reveal them, and their time zones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from analysis.ingest.dates import RIGA, TALLINN, VILNIUS


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    tz: ZoneInfo | None
    wire: bool = False


OUTLETS: tuple[Outlet, ...] = (
    Outlet("LRT", ("lrt.lt",), ("LRT",), VILNIUS),
    Outlet("The Baltic Times", ("baltictimes.com",), ("TBT", "The Baltic Times"), None),
    Outlet("BNS", ("bns.lt",), ("BNS",), VILNIUS, wire=True),
    Outlet("ELTA", ("elta.lt",), ("ELTA",), VILNIUS, wire=True),
    Outlet("Delfi", ("delfi.lt", "delfi.lv", "delfi.ee"), ("Delfi",), None),
    Outlet("ERR News", ("err.ee",), ("ERR",), TALLINN),
    Outlet("LSM", ("lsm.lv",), ("LSM",), RIGA),
    Outlet("LETA", ("leta.lv",), ("LETA",), RIGA, wire=True),
)

_TLD_ZONES = {"lt": VILNIUS, "lv": RIGA, "ee": TALLINN}
_DOMAIN = re.compile(r"(?:https?://)?(?:www\.)?([a-z0-9.-]+\.[a-z]{2,})", re.IGNORECASE)


def domain_of(url_or_email: str) -> str | None:
    text = url_or_email.split("@", 1)[-1]
    match = _DOMAIN.match(text.strip())
    return match.group(1).lower() if match else None


def outlet_for_domain(domain: str | None) -> Outlet | None:
    if not domain:
        return None
    for outlet in OUTLETS:
        if any(domain == d or domain.endswith("." + d) for d in outlet.domains):
            return outlet
    return None


def outlet_for_byline(byline: str | None) -> Outlet | None:
    """The outlet a byline credits, e.g. "BNS/TBT Staff" -> The Baltic Times (the site, not the wire)."""
    if not byline:
        return None
    tokens = set(re.split(r"[\s/,;&()]+", byline))
    matches = [o for o in OUTLETS if any(a in tokens or (" " in a and a in byline) for a in o.aliases)]
    # A site's own credit wins over the wire it carries: "BNS/TBT Staff" is The Baltic Times.
    matches.sort(key=lambda o: o.wire)
    return matches[0] if matches else None


def zone_for(*, outlet: Outlet | None = None, domain: str | None = None) -> ZoneInfo | None:
    if outlet and outlet.tz:
        return outlet.tz
    if domain:
        return _TLD_ZONES.get(domain.rsplit(".", 1)[-1])
    return None
