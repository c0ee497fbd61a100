"""Is a citation link the law itself, or commentary about it? (Shown law first, commentary marked.)"""

from urllib.parse import urlsplit

# Hosts that publish the law itself; any other citation link is commentary and is marked as such.
OFFICIAL_HOSTS = (
    "eur-lex.europa.eu", "europarl.europa.eu", "leg.colorado.gov", "cga.ct.gov",
    "leginfo.legislature.ca.gov", "cppa.ca.gov", "mgaleg.maryland.gov", "doit.maryland.gov",
    "coag.gov",
)  # fmt: skip


def is_official(url: str) -> bool:
    host = urlsplit(url or "").hostname or ""
    return any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS)
