"""benchmarks/alternating.py: the alternating timer on a fake clock, and one real run."""

import json

import pytest

from . import alternating


class FakeMachine:
    """A clock, and members that advance it by their cost per call times the
    machine's current slowness (a slow spell slows both members alike)."""

    def __init__(self):
        self.now = 0.0
        self.slowness = 1.0
        self.calls = []

    def clock(self):
        return self.now

    def member(self, name, cost):
        def call():
            self.calls.append(name)
            self.now += cost * self.slowness
        return call


def test_speedup_is_the_ratio_of_costs_per_call():
    m = FakeMachine()
    result = alternating.time_alternately(m.member("numpy", 3e-6), m.member("fastnn", 1e-6),
                                          block_seconds=1e-4, group_seconds=0.01, clock=m.clock)
    assert result.speedup == pytest.approx(3.0)
    assert result.numpy == pytest.approx(3e-6) and result.fastnn == pytest.approx(1e-6)
    assert result.calls_per_block == (33, 100)  # block_seconds / cost, rounded down
    # group_seconds / (33 * 3e-6 + 100 * 1e-6) = 50 rounds
    assert result.rounds == 50


def test_blocks_alternate_and_swap_order_every_round():
    m = FakeMachine()
    alternating.time_alternately(m.member("a", 1e-3), m.member("b", 1e-3), block_seconds=1e-3,
                                 group_seconds=0, min_rounds=4, clock=m.clock)
    # one untimed call each, then one call per block: ab, ba, ab, ba
    assert "".join(m.calls) == "ab" + "ab" + "ba" + "ab" + "ba"


def test_a_slow_spell_during_a_round_leaves_the_speedup_alone():
    m = FakeMachine()
    fast, slow = m.member("fastnn", 1e-6), m.member("numpy", 2e-6)

    def numpy_member():
        # every third numpy block starts a spell in which the machine runs 4x slower
        m.slowness = 4.0 if m.calls.count("numpy") % 300 < 100 else 1.0
        slow()

    result = alternating.time_alternately(numpy_member, fast, block_seconds=1e-4, group_seconds=0.05, clock=m.clock)
    assert result.speedup == pytest.approx(2.0)
    assert result.speedup_q1 <= result.speedup <= result.speedup_q3


def test_rounds_stay_within_their_bounds():
    m = FakeMachine()
    slow = alternating.time_alternately(m.member("a", 1.0), m.member("b", 1.0), block_seconds=1e-3,
                                        group_seconds=1.0, min_rounds=3, max_rounds=9, clock=m.clock)
    quick = alternating.time_alternately(m.member("a", 1e-9), m.member("b", 1e-9), block_seconds=1e-3,
                                         group_seconds=1.0, min_rounds=3, max_rounds=9, clock=m.clock)
    assert (slow.rounds, quick.rounds) == (3, 9)
    assert slow.calls_per_block == (1, 1)


def test_command_line_times_the_chosen_groups_and_writes_json(tmp_path):
    code = alternating.main(["-k", "sgd.update|float64|tiny", "--out", str(tmp_path), "--group-seconds", "0.01"])
    assert code == 0
    data = json.loads((tmp_path / "alternating.json").read_text())
    assert list(data["groups"]) == ["sgd.update|float64|2x10+10"]
    entry = data["groups"]["sgd.update|float64|2x10+10"]
    assert entry["info"] == {"op": "sgd.update", "dtype": "float64", "size": "tiny", "shape": "2x10+10",
                             "kernel": "serial"}
    result = entry["result"]
    assert result["numpy"] > 0 and result["fastnn"] > 0
    assert result["speedup_q1"] <= result["speedup"] <= result["speedup_q3"]
    assert result["rounds"] >= alternating.MIN_ROUNDS


def test_command_line_covers_the_step_groups(tmp_path):
    alternating.main(["-k", "step|float64|tiny", "--out", str(tmp_path), "--group-seconds", "0.01"])
    data = json.loads((tmp_path / "alternating.json").read_text())
    assert list(data["groups"]) == ["step|float64|30x(2-10-3)"]
    assert "kernel" not in data["groups"]["step|float64|30x(2-10-3)"]["info"]  # a step runs many kernels


def test_command_line_says_which_kernel_a_large_op_ran(tmp_path, monkeypatch):
    # No product of an earlier test in this process may count as just now
    # (kernels/blas.py: within SPIN_SECONDS of one, elementwise work runs serial).
    from fastnn.kernels import blas

    monkeypatch.setattr(blas, "_last_product_end", [-float("inf")])
    alternating.main(["-k", "sgd.update|float64|large", "--out", str(tmp_path), "--group-seconds", "0.01"])
    data = json.loads((tmp_path / "alternating.json").read_text())
    (entry,) = data["groups"].values()
    # [W (1024, 1024), b]: 2^20 elements, above PARALLEL_MIN_ELEMENTS, and nothing makes BLAS spin.
    assert entry["info"]["kernel"] == "parallel"
