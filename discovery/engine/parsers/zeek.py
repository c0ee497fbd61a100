"""Zeek dns/http/ssl logs in TSV (columns from #fields, or a tsv=T header row) and JSON lines."""

from __future__ import annotations

from .base import LineParser
from .records import Record, SkipReason, clean_host, json_object
from .timeparse import parse_iso

HOSTNAME_PATHS = ("dns", "http", "ssl")


def zeek_refusal(path: str) -> str:
    """Why a Zeek log of this kind is not read ('' for dns, http and ssl)."""
    path = path.strip()
    if not path or path in HOSTNAME_PATHS:
        return ""
    return (
        f"Zeek {path}.log: not a source of hostnames (Sightline reads dns.log, http.log, ssl.log)"
    )


class ZeekParser(LineParser):
    """One parser for dns, http and ssl: the log kind comes from #path or the column names."""

    name = "zeek"
    source_type = "dns"
    header_prefixes = ("#", "ts\tuid\t")

    def __init__(self, *, options: dict | None = None) -> None:
        super().__init__(options=options)
        self.sep = "\t"
        self.unset = "-"
        self.empty = "(empty)"
        self.fields: list[str] = list(self.options.get("fields") or [])
        self.path = str(self.options.get("path") or "")

    def header(self, line: str) -> None:
        """Apply a directive (#separator, #fields, #path ...) or a tsv=T header row."""
        if line.startswith("#separator"):
            raw = line.split(" ", 1)[1] if " " in line else "\\x09"
            self.sep = bytes(raw.strip(), "ascii").decode("unicode_escape") or "\t"
            return
        key, _, val = line[1:].partition(self.sep)
        if line.startswith("ts\tuid\t"):
            self.fields = line.split("\t")
        elif key == "fields":
            self.fields = val.split(self.sep)
        elif key == "path":
            self.path = val.strip()
        elif key == "unset_field":
            self.unset = val
        elif key == "empty_field":
            self.empty = val

    def parse(self, line: str) -> Record | SkipReason:
        if line.startswith("{"):
            return self._parse_json(line)
        if line.startswith("#") or line.startswith("ts\tuid\t"):
            self.header(line)
            return SkipReason.DIRECTIVE
        if not self.fields:
            return SkipReason.NO_HEADER
        if self.path and self.path not in HOSTNAME_PATHS:
            return SkipReason.NOT_HOSTNAME_LOG
        vals = line.split(self.sep)
        if len(vals) != len(self.fields):
            return SkipReason.FIELD_COUNT
        unset, empty = self.unset, self.empty
        row = {f: v for f, v in zip(self.fields, vals, strict=True) if v != unset and v != empty}
        return self._record(row)

    def _parse_json(self, line: str) -> Record | SkipReason:
        obj = json_object(line)
        if isinstance(obj, SkipReason):
            return obj
        path = str(obj.get("_path") or "")
        if path and path not in HOSTNAME_PATHS:
            return SkipReason.NOT_HOSTNAME_LOG
        return self._record(obj, path)

    def _record(self, row: dict, path: str = "") -> Record | SkipReason:
        ts_raw = row.get("ts")
        try:
            if isinstance(ts_raw, int | float):
                ts = float(ts_raw)
            elif isinstance(ts_raw, str) and "T" in ts_raw:
                ts = parse_iso(ts_raw)
            else:
                ts = float(str(ts_raw))
        except (ValueError, TypeError):
            return SkipReason.BAD_TIMESTAMP
        if not 0 < ts < 4e9:
            return SkipReason.BAD_TIMESTAMP
        kind = path or self.path
        if kind not in HOSTNAME_PATHS:
            if "query" in row:
                kind = "dns"
            elif "server_name" in row or "ssl_history" in row or "cipher" in row:
                kind = "ssl"
            else:
                kind = "http"
        client_ip = str(row.get("id.orig_h") or "")
        cport = row.get("id.orig_p")
        rport = row.get("id.resp_p")
        common = {
            "ts": ts,
            "client_ip": client_ip,
            "client_port": int(cport) if str(cport or "").isdigit() else None,
            "port": int(rport) if str(rport or "").isdigit() else None,
        }
        if kind == "dns":
            host = clean_host(str(row.get("query") or ""))
            if not host:
                return SkipReason.MISSING_HOST
            answers = row.get("answers") or ()
            if isinstance(answers, str):
                answers = answers.split(",")
            return Record(
                source_type="dns",
                host=host,
                dns_qtype=str(row.get("qtype_name") or ""),
                dns_answers=tuple(str(a) for a in answers),
                **common,
            )
        if kind == "ssl":
            host = clean_host(str(row.get("server_name") or ""))
            if not host:
                return SkipReason.MISSING_HOST
            return Record(source_type="tls", host=host, method="TLS", **common)
        host = clean_host(str(row.get("host") or ""))
        if not host:
            return SkipReason.MISSING_HOST
        status = row.get("status_code")
        return Record(
            source_type="http",
            host=host,
            method=str(row.get("method") or ""),
            path=str(row.get("uri") or "").split("?", 1)[0],
            status=int(status) if str(status or "").isdigit() else None,
            bytes_up=int(row.get("request_body_len") or 0),
            bytes_down=int(row.get("response_body_len") or 0),
            user_agent=str(row.get("user_agent") or ""),
            user=str(row.get("username") or ""),
            mime=_first(row.get("resp_mime_types")),
            **common,
        )


def _first(v: object) -> str:
    if isinstance(v, list):
        return str(v[0]) if v else ""
    return str(v or "").split(",", 1)[0]
