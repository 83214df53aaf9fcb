"""Charts with fixed, labelled outcome colours (the legend and the tables say the same in words)."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Colour-blind-safe order and palette; the words in the legend carry the meaning, not the colour.
OUTCOME_COLOURS = {
    "Pass": "#1a7f37",
    "Partial": "#bf8700",
    "Fail": "#cf222e",
    "Not answered": "#8c959f",
}


LEVEL_COLOURS = {
    "Strong": "#1a7f37",
    "Developing": "#bf8700",
    "Developing — at least": "#d4a72c",
    "Weak — at least": "#e5534b",
    "Weak": "#cf222e",
    "Incomplete": "#8c959f",
    "Error": "#6e40c9",
}


def stacked_outcomes(
    frame: pd.DataFrame,
    category: str,
    value: str = "Controls",
    title: str = "",
    series: str = "Outcome",
    colours: dict[str, str] | None = None,
) -> alt.Chart:
    """Horizontal stacked bars: one bar per ``category`` value, split by ``series`` in a fixed colour order."""
    colours = colours or OUTCOME_COLOURS
    order = {name: i for i, name in enumerate(colours)}
    data = frame.assign(_order=frame[series].map(order).fillna(len(order)))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            # labelLimit=0: never cut a label ("Shelter or social-service nonprofit") to "Shelter or so…".
            y=alt.Y(
                f"{category}:N", sort=list(dict.fromkeys(frame[category])), title=None, axis=alt.Axis(labelLimit=0)
            ),
            # labelFlush: the last tick label stays inside the chart instead of being cut at the right edge.
            x=alt.X(
                f"{value}:Q",
                title=title or f"Number of {value.lower()}",
                axis=alt.Axis(tickMinStep=1, labelFlush=True),
            ),
            color=alt.Color(
                f"{series}:N",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                # Two columns: four or five entries in one row were cut off on a 390 px phone.
                legend=alt.Legend(title=series, orient="bottom", labelLimit=0, columns=2),
            ),
            order=alt.Order("_order:Q"),
            tooltip=[category, series, value],
        )
    )
