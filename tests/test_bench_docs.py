"""The figures in docs/benchmarks.md are written by the benchmarks (``--write-docs``), never typed.

Each block carries the record of its run; the text shown must be exactly what that record renders to, so a
figure edited by hand fails here. The formatter is exercised on a small synthetic run, without a benchmark.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import docs_block  # noqa: E402

RECORD = {
    "script": "bench/batch_benchmark.py",
    "args": ["--rows", "200", "--workers", "2", "--write-docs"],
    "facts": {
        "date": "2026-12-08 01:00 UTC",
        "cpus": 2,
        "load_average": [1.5, 1.25, 1.0],
        "python": "3.11.7",
        "platform": "Linux x86_64",
        "commit": "abc1234",
    },
    "output": "durable, 2 worker(s)   1.2 s   166 rows/s  peak  236 MB (process tree)\nall results files match -->\n",
}


def test_a_written_block_reads_back_to_the_same_record_and_text(tmp_path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nProse that is not generated.\n", encoding="utf-8")
    docs_block.write("batch-200", RECORD, page)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nProse that is not generated.\n\n<!-- bench:batch-200:start")
    assert "peak  236 MB" in text and "load average 1.50 1.25 1.00" in text and "2026-12-08 01:00 UTC" in text
    block = docs_block.blocks(text)["batch-200"]
    assert docs_block.parse(block) == RECORD  # "-->" in the output survives the comment it is kept in
    assert docs_block.check(text) == []
    # Written again, the block is replaced in place; the prose around it stays.
    again = {**RECORD, "output": "durable, 2 worker(s)   1.1 s   181 rows/s  peak  230 MB (process tree)\n"}
    page.write_text(text + "\nMore prose.\n", encoding="utf-8")
    docs_block.write("batch-200", again, page)
    text = page.read_text(encoding="utf-8")
    assert text.count("bench:batch-200:start") == 1 and text.endswith("\nMore prose.\n")
    assert "230 MB" in text and "236 MB" not in text
    assert docs_block.check(text) == []


def test_a_figure_edited_by_hand_is_caught(tmp_path) -> None:
    page = tmp_path / "benchmarks.md"
    docs_block.write("batch-200", RECORD, page)
    text = page.read_text(encoding="utf-8")
    edited = text.replace("peak  236 MB", "peak  136 MB", 1)  # the table only, not the record
    assert docs_block.check(edited) == ["bench:batch-200: edited by hand; run the benchmark again with --write-docs"]
    assert docs_block.check(text.replace("at the end.", "at its end.")) != []


def test_recorded_writes_what_the_run_printed(tmp_path, capsys) -> None:
    page = tmp_path / "benchmarks.md"
    with docs_block.recorded("bench/x.py", ["--rows", "5", "--docs", str(page)], "x", page):
        print("rows 5  peak 10 MB")
    record = docs_block.parse(docs_block.blocks(page.read_text(encoding="utf-8"))["x"])
    assert record["output"] == "rows 5  peak 10 MB\n"
    assert record["args"] == ["--rows", "5"]  # the page it was written to is not part of the command shown
    assert "rows 5  peak 10 MB" in capsys.readouterr().out  # still printed as usual
    with docs_block.recorded("bench/x.py", [], None, page):  # without --write-docs nothing is written
        print("not kept")
    assert "not kept" not in page.read_text(encoding="utf-8")


def test_every_block_of_the_benchmarks_page_is_as_its_run_wrote_it() -> None:
    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert docs_block.blocks(text), "docs/benchmarks.md holds no generated block"
    assert docs_block.check(text) == []
