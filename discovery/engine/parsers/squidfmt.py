"""Squid `logformat` strings (squid-cache.org/Doc/config/logformat) turned into line parsers.

A log source stores its `logformat` line (or just the format); the built-in formats `squid`,
`common`, `combined`, `referrer` and `useragent` are known by name. `useragent` has no
destination host, so it is refused by name rather than parsed.
"""

from __future__ import annotations

import re

from .base import LineParser
from .records import Record, SkipReason, clean_host, split_url, to_int
from .timeparse import parse_clf

BUILTIN_FORMATS = {
    "squid": "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt",
    "common": '%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st %Ss:%Sh',
    "combined": '%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st "%{Referer}>h" '
    '"%{User-Agent}>h" %Ss:%Sh',
    "referrer": "%ts.%03tu %>a %{Referer}>h %ru",
    "useragent": '%>a [%tl] "%{User-Agent}>h"',
}
# Codes whose value we use; any other code is matched as one opaque token.
KNOWN_CODES = sorted(
    [
        ">a",
        ">A",
        ">p",
        "<a",
        "<A",
        "<p",
        "la",
        "lp",
        "ts",
        "tu",
        "tl",
        "tg",
        "tr",
        "dt",
        "Ss",
        "Sh",
        ">Hs",
        "<Hs",
        "Hs",
        "<st",
        ">st",
        "st",
        "<sh",
        ">sh",
        "rm",
        "ru",
        "rp",
        ">rm",
        ">ru",
        ">rp",
        ">rd",
        ">rs",
        ">rP",
        "rv",
        ">rv",
        "un",
        "ul",
        "ui",
        "ue",
        "us",
        "mt",
        "h",
        ">h",
        "<h",
        "ssl::>sni",
        "ssl::<cert_subject",
        "note",
        "et",
        "ea",
        "err_code",
        "err_detail",
        "sn",
        "<lp",
        "<la",
        "<tt",
        "<pt",
        "tS",
        "busy_time",
        "rG",
    ],
    key=len,
    reverse=True,
)
TOKEN_RE = re.compile(r"%([-0-9#'\[]*)(?:\{([^}]*)\})?")
USES_HOST = frozenset({"ru", ">ru", ">rd", "ssl::>sni"})


class LogformatError(ValueError):
    """A logformat string that cannot describe a log with a destination host."""


def normalise_logformat(text: str) -> tuple[str, str]:
    """(name, format) from 'logformat NAME FORMAT', a built-in name, or a bare format."""
    text = (text or "").strip()
    if text.startswith("logformat "):
        _, name, fmt = (text.split(None, 2) + ["", ""])[:3]
        return name, fmt.strip()
    if text in BUILTIN_FORMATS:
        return text, BUILTIN_FORMATS[text]
    return "custom", text


def compile_logformat(fmt: str) -> tuple[re.Pattern, list[tuple[str, str]]]:
    """Regex with one group per % code, and the (code, header argument) of each group."""
    parts: list[str] = []
    codes: list[tuple[str, str]] = []
    pos = 0
    prev_literal = ""
    while pos < len(fmt):
        m = TOKEN_RE.match(fmt, pos) if fmt[pos] == "%" else None
        if m is None:
            ch = fmt[pos]
            if ch == "%" and fmt[pos + 1 : pos + 2] == "%":
                parts.append("%")
                pos += 2
                continue
            if ch.isspace():
                while pos < len(fmt) and fmt[pos].isspace():
                    pos += 1
                parts.append(r"\s+")
                prev_literal = " "
                continue
            parts.append(re.escape(ch))
            prev_literal = ch
            pos += 1
            continue
        rest = fmt[m.end() :]
        code = next((c for c in KNOWN_CODES if rest.startswith(c)), None)
        if code is None:
            cm = re.match(r"[<>]?[A-Za-z:_]+", rest)
            if not cm:
                raise LogformatError(f"cannot read the % code at {fmt[pos : pos + 12]!r}")
            code = cm.group(0)
        pos = m.end() + len(code)
        nxt = fmt[pos : pos + 1]
        if prev_literal == '"' and nxt == '"':
            parts.append(r'((?:[^"\\]|\\.)*)')
        elif prev_literal == "[" and nxt == "]":
            parts.append(r"([^\]]*)")
        elif code in ("ts",) and nxt == ".":
            parts.append(r"(\d+)")
        else:
            parts.append(r"(\S+?)" if nxt and not nxt.isspace() else r"(\S+)")
        codes.append((code, (m.group(2) or "").lower()))
        prev_literal = ""
    if not any(c in USES_HOST for c, _ in codes):
        raise LogformatError("this logformat has no destination (%ru, %>rd or %ssl::>sni)")
    return re.compile("^" + "".join(parts) + r"\s*$"), codes


class SquidLogformatParser(LineParser):
    """Any Squid access log whose `logformat` is known (options['logformat'])."""

    name = "squid_logformat"

    def __init__(self, *, options: dict | None = None) -> None:
        super().__init__(options=options)
        # without a logformat line the log is taken to be in Squid's default (native) format
        raw = str(self.options.get("logformat") or "squid")
        self.logformat_name, fmt = normalise_logformat(raw)
        if not fmt:
            raise LogformatError("the logformat line has no format after its name")
        self.regex, self.codes = compile_logformat(fmt)

    def parse(self, line: str) -> Record | SkipReason:
        m = self.regex.match(line)
        if not m:
            return SkipReason.MALFORMED
        v: dict[str, str] = {}
        for (code, arg), val in zip(self.codes, m.groups(), strict=True):
            key = f"{code}:{arg}" if arg else code
            v.setdefault(key, val)
        try:
            if "ts" in v:
                ts = float(v["ts"]) + (int(v["tu"]) / 1000.0 if v.get("tu", "").isdigit() else 0.0)
            elif "tl" in v or "tg" in v:
                ts = parse_clf(v.get("tl") or v["tg"])
            else:
                return SkipReason.BAD_TIMESTAMP
        except (ValueError, KeyError):
            return SkipReason.BAD_TIMESTAMP
        if not 0 < ts < 4e9:
            return SkipReason.BAD_TIMESTAMP
        method = v.get("rm") or v.get(">rm") or ""
        url = v.get("ru") or v.get(">ru") or ""
        if url and url != "-":
            if method == "CONNECT" and "/" not in url:
                h, _, p = url.rpartition(":")
                host, port, path = clean_host(h or url), int(p) if p.isdigit() else None, ""
            else:
                host, port, path = split_url(url)
        else:
            host, port, path = clean_host(v.get(">rd") or v.get("ssl::>sni") or ""), None, ""
        if not host:
            return SkipReason.MISSING_HOST
        status_s = v.get(">Hs") or v.get("Hs") or ""
        if "Ss" in v and "/" in v["Ss"]:
            status_s = status_s or v["Ss"].split("/", 1)[1]
        try:
            status = int(status_s) if status_s.isdigit() else None
            down = to_int(v.get("<st", "") or v.get("st", ""))
            up = to_int(v.get(">st", ""))
        except ValueError:
            return SkipReason.BAD_NUMBER
        user = v.get("un") or v.get("ul") or v.get("ui") or ""
        code = v.get("Ss", "")
        return Record(
            ts=ts,
            source_type="proxy",
            host=host,
            port=port,
            client_ip=v.get(">a", ""),
            user="" if user == "-" else user,
            method=method,
            path="" if method == "CONNECT" else path,
            status=status,
            bytes_up=up,
            bytes_down=down,
            action="blocked" if ("DENIED" in code or "BLOCK" in code) else "allowed",
            user_agent=_unquote(v.get(">h:user-agent", "")),
            mime="" if v.get("mt", "-") == "-" else v.get("mt", ""),
        )


def _unquote(s: str) -> str:
    return "" if s in ("", "-") else s.replace('\\"', '"')
