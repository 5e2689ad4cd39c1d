"""benchmarks/report.py: how a speed-up is written, and the run's commit flag."""

from benchmarks.report import fmt_ratio, source_changed


def test_a_loss_is_bold_even_when_it_rounds_to_one():
    assert fmt_ratio(0.9951) == "**0.995x**"
    assert fmt_ratio(0.9996) == "**0.999x**"
    assert fmt_ratio(0.97) == "**0.97x**"
    assert fmt_ratio(1.0) == "1.00x"
    assert fmt_ratio(1.004) == "1.00x"


def test_large_ratios_keep_three_figures():
    assert fmt_ratio(13.94) == "13.9x"
    assert fmt_ratio(123.4) == "123x"
    assert fmt_ratio(None) == ""


def test_outside_a_git_checkout_nobody_knows_whether_code_changed(tmp_path):
    assert source_changed(root=str(tmp_path)) is None
