"""A tiny server-side SVG bar chart: the PDF has no JavaScript, and WeasyPrint draws SVG natively."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = {"sanctioned": "#1b7f3b", "blocked": "#6b7280"}
DEFAULT = "#b42318"


def usage_bars(apps: list[dict], *, width: int = 640, bar: int = 16, gap: int = 5) -> SafeString:
    """Horizontal bars of requests per app, green when sanctioned, red otherwise."""
    if not apps:
        return mark_safe("")
    label_w, value_w = 190, 70
    plot_w = width - label_w - value_w
    top = max(a["requests"] for a in apps) or 1
    height = len(apps) * (bar + gap) + gap + 18
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Liberation Sans, DejaVu Sans, sans-serif" font-size="10">'
    ]
    for i, app in enumerate(apps):
        y = gap + i * (bar + gap)
        w = max(1, round(plot_w * app["requests"] / top))
        colour = COLOURS.get(app["status"], DEFAULT)
        name = app["name"] if len(app["name"]) <= 32 else app["name"][:31] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar - 4}" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar}" fill="{colour}"/>'
            f'<text x="{label_w + w + 4}" y="{y + bar - 4}">{app["requests"]:,}</text>'
        )
    y = height - 6
    parts.append(
        f'<rect x="{label_w}" y="{y - 8}" width="10" height="8" fill="{COLOURS["sanctioned"]}"/>'
        f'<text x="{label_w + 14}" y="{y}">sanctioned</text>'
        f'<rect x="{label_w + 90}" y="{y - 8}" width="10" height="8" fill="{DEFAULT}"/>'
        f'<text x="{label_w + 104}" y="{y}">not sanctioned</text>'
        f'<rect x="{label_w + 200}" y="{y - 8}" width="10" height="8" fill="{COLOURS["blocked"]}"/>'
        f'<text x="{label_w + 214}" y="{y}">blocked</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated string above is escaped or numeric
