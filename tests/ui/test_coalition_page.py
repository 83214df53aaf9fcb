"""The Coalition page with AppTest (the browser test draws the map), and the map's place codes."""

from __future__ import annotations

import pytest

from engine.cli.main import main
from tests.store.conftest import AS_OF, DROPPING, write_waves
from ui.geo import county_fips, place_frame_rows, state_fips


@pytest.fixture
def two_wave_store(tmp_path):
    folder = write_waves(tmp_path)
    store = tmp_path / "coalition.db"
    for survey, wave in (("wave_a.csv", "2025"), ("wave_b.csv", "2026")):
        assert main(["batch", str(folder / survey), "--store", str(store), "--wave", wave, "--as-of", AS_OF, "-q"]) == 0
    return f"sqlite:///{store}"


def test_without_a_store_the_page_says_how_to_make_one(new_app, monkeypatch, tmp_path):
    monkeypatch.setenv("SANCTUARY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SANCTUARY_STORE", raising=False)
    at = new_app()
    at.switch_page("app_pages/coalition.py").run()
    assert not at.exception
    assert "no store here yet" in at.info[0].value
    assert not (tmp_path / "coalition.db").exists()  # looking never creates a store


def test_two_waves_show_map_trends_and_the_dropped_institution(new_app, monkeypatch, two_wave_store):
    monkeypatch.setenv("SANCTUARY_STORE", two_wave_store)
    at = new_app()
    at.switch_page("app_pages/coalition.py").run()
    assert not at.exception
    assert [s.value for s in at.subheader] == [
        "Where institutions stand",
        "Trends across waves",
        "Institutions whose level dropped",
    ]
    assert at.selectbox(key="coalition_earlier").value == "2025"
    places = at.dataframe[0].value
    assert "California" in set(places["Place"])
    at.radio(key="coalition_by").set_value("county").run()
    assert {"Alameda, CA", "Cook, IL", "San Diego, CA"} <= set(at.dataframe[0].value["Place"])
    trends = at.dataframe[1].value
    assert list(trends["Wave"]) == ["2025", "2026"]
    # The dropped institution opens its report (the link carries its store row id).
    at.query_params["row"] = "1"  # any stored row: the first respondent of wave 2025
    at.run()
    assert not at.exception
    assert at.subheader[0].value.startswith("Report: ")
    assert DROPPING.split()[0] in at.subheader[0].value


def test_place_codes():
    assert state_fips("CA") == "06" and state_fips("DC") == "11" and state_fips("") is None
    assert county_fips("CA", "Alameda") == "06001" == county_fips("CA", "Alameda County")
    assert county_fips("IL", "17031") == "17031" and county_fips("CA", "73") == "06073"
    assert county_fips("LA", "Orleans Parish") == "22071"
    assert county_fips("TX", "Atlantis") is None and county_fips("", "Cook") is None
    rows, unplaced = place_frame_rows(
        [
            {"state": "CA", "county": "Alameda", "institutions": 3, "strong": 1, "weak": 2},
            {"state": "CA", "county": "06001", "institutions": 1, "developing": 1},
            {"state": "", "county": "", "institutions": 4, "incomplete": 4},
        ],
        "county",
    )
    (alameda,) = rows
    assert alameda["id"] == "06001" and alameda["Institutions"] == 4 and unplaced == 4
    assert alameda["share_weak"] == 0.5 and alameda["share_developing"] == 0.25
