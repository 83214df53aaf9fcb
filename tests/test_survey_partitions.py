"""Reading a survey in partitions (what the Dask entry point does) gives exactly the rows of a whole read."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.survey.reading import SurveyFile

HEADER = "respondent_id,institution_name,institution_type,state,q_policy,q_published,q_entry\r\n"
ROWS = [
    "R1,Riverside,k12_school,CA,written,yes,refused\r\n",
    '"R2","Two\r\nline name",employer,NM,statement,no,case_by_case\r\n',  # a quoted line break
    "R3,Grace,congregation,TX,written,yes,refused,EXTRA,CELLS\r\n",  # ragged: too many cells
    "\r\n",  # a blank line between respondents
    ",Nameless,library,OR,,,\r\n",  # no respondent id: numbered by its position
    "R1,Duplicate id,k12_school,CA,written,yes,refused\r\n",
    "R6,Short,k12_school\r\n",  # ragged: too few cells
]


def _survey(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "survey.csv"
    path.write_bytes((HEADER + "".join(rows)).encode("utf-8-sig"))
    return path


@settings(max_examples=30, deadline=None)
@given(order=st.permutations(ROWS), size=st.integers(1, 8))
def test_partitions_resumed_from_a_first_pass_equal_a_whole_read(mini_ruleset, tmp_path_factory, order, size) -> None:
    path = _survey(tmp_path_factory.mktemp("survey"), list(order))
    whole = list(SurveyFile(path, mini_ruleset).records())
    starts = [(line, n) for n, (line, _) in enumerate(whole) if n % size == 0]
    parts = [list(SurveyFile(path, mini_ruleset).records(start=start, limit=size)) for start in starts]
    assert [row for part in parts for row in part] == whole
    lines = [line for line, _ in whole]
    assert len(set(lines)) == len(lines)  # file lines are unique across partitions


def test_an_unclosed_quote_in_the_last_partition_is_reported_as_in_a_whole_read(mini_ruleset, tmp_path) -> None:
    path = _survey(tmp_path, [*ROWS[:2], 'R9,"never closed,k12_school,CA\r\n', "R10,x,k12_school,CA\r\n"])
    whole = list(SurveyFile(path, mini_ruleset).records())
    index = next(i for i, (_, row) in enumerate(whole) if row[0] == "R9")
    line, row = whole[index]
    assert "never closed" in row[-1]
    assert [r[0] for _, r in whole[index:]] == ["R9", "R10"]  # the broken quote does not swallow R10
    assert list(SurveyFile(path, mini_ruleset).records(start=(line, index), limit=5)) == whole[index:]
