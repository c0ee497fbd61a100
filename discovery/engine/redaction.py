"""Raw log lines kept as samples lose anything that looks like a secret before they are stored."""

import re

REDACTED = "[redacted]"
SAMPLE_MAX_CHARS = 300

_PEM = re.compile(r"(-----BEGIN [A-Z0-9 ]+-----).*?(?:-----END [A-Z0-9 ]+-----|\Z)", re.S)
_PEM_EDGE = re.compile(r"-----(?:BEGIN|END) [A-Z0-9 ]+-----")
# A line that is nothing but a long mixed-case base64 run is a key or certificate body line.
_BASE64_LINE = re.compile(
    r"^\s*(?=[^\s]*[A-Z])(?=[^\s]*[a-z])(?=[^\s]*[0-9])[A-Za-z0-9+/=]{40,}\s*$"
)
_PATTERNS = [
    # AWS access key ids (long-term AKIA, temporary ASIA and the other principal prefixes)
    (
        re.compile(
            r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}(?![A-Z0-9])"
        ),
        REDACTED,
    ),
    # Authorization headers and bearer-style credentials
    (
        re.compile(r"(?i)\b(bearer|basic|token|digest)(\s+)[A-Za-z0-9._~+/=-]{8,}"),
        rf"\1\2{REDACTED}",
    ),
    # JSON web tokens anywhere
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
    # well-known token shapes: OpenAI/Anthropic keys, GitHub, Slack, Google API keys
    (
        re.compile(
            r"\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[A-Za-z0-9_-]{30,})"
        ),
        REDACTED,
    ),
    # name=value / name: value secrets, in config lines, query strings and JSON
    (
        re.compile(
            r"(?i)((?:secret|password|passwd|pwd|passphrase|api[_-]?key|apikey|access[_-]?token"
            r"|auth[_-]?token|token|credential|signature|private[_-]?key|client[_-]?secret"
            r"|x-amz-signature|x-amz-credential|x-amz-security-token|sig)[A-Za-z0-9_-]*"
            r"\"?\s*[=:]\s*\"?)([^\s&\"',;]+)"
        ),
        rf"\1{REDACTED}",
    ),
    # credentials in URLs: scheme://user:password@host
    (re.compile(r"(://[^/\s:@]+:)[^/\s@]+@"), rf"\1{REDACTED}@"),
]


def redact_line(line: str, *, limit: int = SAMPLE_MAX_CHARS) -> str:
    """The line with secret-looking values replaced, then cut to ``limit`` characters."""
    if _BASE64_LINE.match(line):
        return REDACTED
    text = _PEM.sub(lambda m: f"{m.group(1)}{REDACTED}", line)
    if _PEM_EDGE.fullmatch(text.strip()):
        text = text.strip()  # a lone BEGIN/END marker line tells nothing
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def redact_samples(samples: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every sample list of a run or chunk, redacted and truncated."""
    return {reason: [redact_line(s) for s in lines] for reason, lines in samples.items()}
