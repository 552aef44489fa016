"""The operator dashboard's chart: exchanges per hour as SVG, drawn on the server (no JavaScript)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from markupsafe import escape


def chart_svg(
    series: dict[str, list[int]],
    hours: list[int],
    zone: ZoneInfo,
    title: str,
    y_axis: str,
    x_axis: str,
    top: int = 5,
) -> str:
    """Exchanges per hour of the busiest ``top`` lines as an SVG line chart: both axes drawn and
    named with their units (``y_axis``, ``x_axis``), the hours in the hub's ``zone``, a legend of
    the lines drawn.  Line names are text from the ledger (escaped); the caller chooses them, so
    that codes a refused request made up share one line instead of taking the legend."""
    width, height, left, bottom, top_pad = 720, 240, 56, 40, 24
    plot_bottom = height - bottom
    busiest = sorted(series, key=lambda s: (-sum(series[s]), s))[:top]
    peak = max((max(series[s]) for s in busiest), default=0) or 1
    colours = ["#0b5cad", "#b42318", "#1a7f37", "#8250df", "#bf8700"]
    step = (width - left - 10) / 23

    def y(value: float) -> float:
        return plot_bottom - (value / peak) * (plot_bottom - top_pad)

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 20 * len(busiest)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{plot_bottom}" x2="{width - 10}" y2="{plot_bottom}" stroke="#57606a"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{plot_bottom}" stroke="#57606a"/>',
        f'<text class="axis" x="4" y="12">{escape(y_axis)}</text>',
        f'<text class="axis" x="{width - 10}" y="{height - 4}" text-anchor="end">{escape(x_axis)}</text>',
    ]
    for value in sorted({0, peak // 2, peak}):
        parts.append(
            f'<line x1="{left - 4}" y1="{y(value):.1f}" x2="{width - 10}" y2="{y(value):.1f}" '
            'stroke="#d0d7de" stroke-dasharray="2 3"/>'
            f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end">{value}</text>'
        )
    for index in range(0, 24, 3):
        label = datetime.fromtimestamp(hours[index] / 1000, UTC).astimezone(zone).strftime("%H:%M")
        x = left + index * step
        parts.append(
            f'<line x1="{x:.1f}" y1="{plot_bottom}" x2="{x:.1f}" y2="{plot_bottom + 4}" stroke="#57606a"/>'
            f'<text x="{x:.0f}" y="{plot_bottom + 16}" text-anchor="middle">{label}</text>'
        )
    for number, service in enumerate(busiest):
        points = " ".join(f"{left + i * step:.1f},{y(v):.1f}" for i, v in enumerate(series[service]))
        colour = colours[number % len(colours)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(
            f'<rect x="{left}" y="{height + 6 + 20 * number}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + 16}" y="{height + 15 + 20 * number}">{escape(service)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
