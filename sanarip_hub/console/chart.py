"""The operator dashboard's chart: exchanges per hour as SVG, drawn on the server (no JavaScript)."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.xroad.xml_text import text


def chart_svg(series: dict[str, list[int]], hours: list[int], top: int = 5) -> str:
    """Exchanges per hour of the busiest services as an SVG line chart (no JavaScript needed)."""
    width, height, left, bottom = 720, 220, 40, 24
    busiest = sorted(series, key=lambda s: -sum(series[s]))[:top]
    peak = max((max(series[s]) for s in busiest), default=0) or 1
    colours = ["#0b5cad", "#b42318", "#1a7f37", "#8250df", "#bf8700"]
    step = (width - left - 10) / 23
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 20 * len(busiest)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>exchanges per hour</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#d0d7de"/>',
        f'<text x="4" y="14">{peak}</text><text x="4" y="{height - bottom}">0</text>',
    ]
    for index in range(0, 24, 4):
        label = datetime.fromtimestamp(hours[index] / 1000, UTC).strftime("%H:%M")
        parts.append(f'<text x="{left + index * step:.0f}" y="{height - 6}">{label}</text>')
    for number, service in enumerate(busiest):
        points = " ".join(
            f"{left + i * step:.1f},{height - bottom - (v / peak) * (height - bottom - 20):.1f}"
            for i, v in enumerate(series[service])
        )
        colour = colours[number % len(colours)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        name = text(service)  # a service code a refused request made up: escaped like all XML
        parts.append(
            f'<rect x="{left}" y="{height + 6 + 20 * number}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + 16}" y="{height + 15 + 20 * number}">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
