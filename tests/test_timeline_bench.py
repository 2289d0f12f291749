"""The timeline bench runs end to end on a small corpus and reports every figure beside its
target (it never asserts speed: that is what the bench is for)."""

import math
from pathlib import Path

from bench import timeline_bench


def test_the_timeline_bench_reports_its_figures_and_verdict(tmp_path: Path) -> None:
    results = timeline_bench.main(["--articles", "20", "--reps", "2", "--work", str(tmp_path)])
    cases = {m["case"].split(",")[0].split(" by=")[0]: m for m in results["in_process"]}
    assert {"timeline", "chart agreements-per-year", "chart most-connected"} <= set(cases)
    default = next(m for m in results["in_process"] if m["case"] == "timeline, default page")
    assert default["items"] > 0 and default["runs"] == 2
    for figures in [*results["in_process"], results["http"]]:
        assert math.isfinite(figures["p95_ms"]) and figures["p95_ms"] >= figures["p50_ms"] > 0
    assert results["target_p95_ms"] == 100 and results["verdict"] in ("PASS", "FAIL")
    assert (tmp_path / "timeline-results.json").is_file()
