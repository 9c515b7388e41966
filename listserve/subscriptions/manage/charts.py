"""Small server-rendered SVG charts: no script, no CDN, nothing for the CSP to refuse.

Each chart is an <svg role="img"> with a <title>; the page puts the same figures in a table
for screen readers, so the SVG is a picture of the table, not the only copy of the numbers.
"""

from html import escape

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 64, 10, 12, 48
X_AXIS = _l("Week starting (Monday, UTC)")


def _frame(title: str, body: list[str], labels: list[str], top_value: int, unit: str) -> Markup:
    """The chart in a figure: its title above it, both axes with their ticks and what they
    count (the y axis in `unit`), the marks in between."""
    plot_bottom = HEIGHT - BOTTOM
    middle = (TOP + plot_bottom) / 2
    parts = [
        f'<figure class="chart-figure"><figcaption>{escape(title)}</figcaption>',
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(_("%(title)s, in %(unit)s", title=title, unit=unit))}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{LEFT}" y1="{plot_bottom}" x2="{WIDTH - RIGHT}" '
        f'y2="{plot_bottom}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{plot_bottom}"/>',
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{top_value}</text>',
    ]
    if top_value >= 2:
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{middle + 4:.0f}" '
                     f'text-anchor="end">{top_value / 2:g}</text>')
    parts += [
        f'<text class="tick" x="{LEFT - 6}" y="{plot_bottom}" text-anchor="end">0</text>',
        f'<text class="axis-label" transform="translate(14 {middle:.0f}) rotate(-90)" '
        f'text-anchor="middle">{escape(unit)}</text>',
        f'<text class="axis-label" x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 4}" '
        f'text-anchor="middle">{escape(str(X_AXIS))}</text>',
    ]
    if labels:
        parts.append(f'<text class="tick" x="{LEFT}" y="{HEIGHT - 28}">{escape(labels[0])}</text>')
        parts.append(f'<text class="tick" x="{WIDTH - RIGHT}" y="{HEIGHT - 28}" '
                     f'text-anchor="end">{escape(labels[-1])}</text>')
    parts.extend(body)
    parts.append("</svg></figure>")
    return Markup("".join(parts))  # noqa: S704 (every text above went through escape)


def _scale(top_value: int):
    plot_height = HEIGHT - TOP - BOTTOM
    return lambda value: HEIGHT - BOTTOM - (value / top_value) * plot_height


def line_chart(title: str, labels: list[str], values: list[int], unit: str) -> Markup:
    """One line, a point per label."""
    top_value = max(values, default=0) or 1
    y = _scale(top_value)
    step = (WIDTH - LEFT - RIGHT) / max(len(values) - 1, 1)
    points = " ".join(f"{LEFT + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
    return _frame(title, [f'<polyline class="line" points="{points}"/>'], labels, top_value,
                  unit)


def bar_chart(title: str, labels: list[str], series: dict[str, list[int]], unit: str) -> Markup:
    """Grouped bars: for each label, one bar per series (CSS classes series-0, series-1 …)."""
    top_value = max((v for values in series.values() for v in values), default=0) or 1
    y = _scale(top_value)
    group = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    body = []
    for s, (name, values) in enumerate(series.items()):
        for i, value in enumerate(values):
            x = LEFT + i * group + group * 0.1 + s * bar
            body.append(
                f'<rect class="bar series-{s}" x="{x:.1f}" y="{y(value):.1f}" '
                f'width="{bar:.1f}" height="{HEIGHT - BOTTOM - y(value):.1f}">'
                f"<title>{escape(labels[i])}: {value} {escape(name)}</title></rect>"
            )
    return _frame(title, body, labels, top_value, unit)
