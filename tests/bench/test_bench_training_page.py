"""bench.training_page still builds and measures its pages (no timing is asserted: speed lives in bench/)."""

from bench import training_page

from tests.support import require_chromium


def test_the_page_bench_builds_both_pages_and_measures_them_in_chromium(tmp_path, capsys):
    require_chromium()
    rows = training_page.main(["--quick"])
    assert [row[0].split(":")[0].split(" (")[0] for row in rows] == ["tour", "a snapshot every update"]
    assert all(row[2].endswith(" MB") and row[4].endswith(" ms") for row in rows)
    assert "draw a snapshot" in capsys.readouterr().out
