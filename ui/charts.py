"""Charts with fixed, labelled outcome colours (the legend and the tables say the same in words)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from engine import N_, _

# Colour-blind-safe order and palette; the words in the legend carry the meaning, not the colour.
OUTCOME_COLOURS = {
    N_("Pass"): "#1a7f37",
    N_("Partial"): "#bf8700",
    N_("Fail"): "#cf222e",
    N_("Not answered"): "#8c959f",
}


LEVEL_COLOURS = {
    N_("Strong"): "#1a7f37",
    N_("Developing"): "#bf8700",
    N_("Developing — at least"): "#d4a72c",
    N_("Weak — at least"): "#e5534b",
    N_("Weak"): "#cf222e",
    N_("Incomplete"): "#8c959f",
    N_("Error"): "#6e40c9",
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
    # The keys are English words; the frame holds them in the page's language.
    colours = {_(word): colour for word, colour in (colours or OUTCOME_COLOURS).items()}
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
                title=title or _("Number of {things}").format(things=value.lower()),
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


def choropleth(topology: dict[str, Any], feature: str, places: pd.DataFrame, share: str, title: str) -> dict[str, Any]:
    """The Vega-Lite spec of a US map of ``places`` (one row per FIPS ``id``), coloured by ``share`` (0 to 1).

    ``topology`` holds the shapes of ``feature`` ("states" or "counties"); every shape is drawn in grey, and the
    places with data in colour over it. The TopoJSON goes into the spec itself as a named dataset, so Vega never
    fetches a map: nothing leaves the computer. It is put in after Altair has built the spec: Altair validates
    and copies every value it is given, which took 7 s for the counties file.
    """
    # One name per map and colouring, read with one format by both layers: Vega-Lite makes a data source per name
    # and format, and two formats of one name failed with "Duplicate data set name" when the chart was updated.
    name = f"us_{feature}_{share}"
    shapes = alt.NamedData(name=name, format=alt.DataFormat(type="topojson", feature=feature))
    background = (
        alt.Chart(shapes)
        .mark_geoshape(fill="#eaeef2", stroke="#ffffff", strokeWidth=0.5, aria=False)  # a backdrop, not data
        .project(type="albersUsa")
    )
    fields = ["Place", "Institutions", share]
    filled = (
        alt.Chart(shapes)
        .transform_lookup(lookup="id", from_=alt.LookupData(data=places[["id", *fields]], key="id", fields=fields))
        .transform_filter("isValid(datum.Institutions)")
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.5)
        .encode(
            color=alt.Color(
                f"{share}:Q",
                scale=alt.Scale(domain=[0, 1], scheme="blues"),
                legend=alt.Legend(title=title, format="%", orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("Place:N"),
                alt.Tooltip("Institutions:Q"),
                alt.Tooltip(f"{share}:Q", title=title, format=".0%"),
            ],
        )
        .project(type="albersUsa")
    )
    spec = alt.layer(background, filled).properties(width="container", height=420).to_dict()
    spec.setdefault("datasets", {})[name] = topology
    return spec


def level_trend_chart(trends: pd.DataFrame) -> alt.Chart:
    """Share of institutions at each level, wave by wave (``Wave``, ``Level``, ``Share``, ``Institutions``)."""
    return (
        alt.Chart(trends)
        .mark_line(point=True)
        .encode(
            x=alt.X("Wave:N", sort=list(dict.fromkeys(trends["Wave"])), title=_("Wave")),
            y=alt.Y(
                "Share:Q", axis=alt.Axis(format="%"), title=_("Share of institutions"), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color(
                "Level:N",
                scale=alt.Scale(domain=[_(w) for w in list(LEVEL_COLOURS)[:4]], range=list(LEVEL_COLOURS.values())[:4]),
                legend=alt.Legend(title=_("Level"), orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("Wave:N", title=_("Wave")),
                alt.Tooltip("Level:N", title=_("Level")),
                alt.Tooltip("Institutions:Q", title=_("Institutions")),
                alt.Tooltip("Share:Q", format=".0%", title=_("Share")),
            ],
        )
        .properties(height=280)
    )
