"""tools/mutate_checks.py's mutant generator (the run itself is docs/mutation.md's, not the test suite's)."""

import sys
from pathlib import Path

import pytest

_path = Path(__file__).resolve().parent.parent / "tools" / "mutate_checks.py"
sys.path.insert(0, str(_path.parent))  # the script imports its neighbours as the script run does
try:
    import mutate_checks as mc
    import mutation_mutants
finally:
    sys.path.remove(str(_path.parent))

DEMO = '''\
from ._checks import check_apart, check_operands, check_shape, shape_of


def _check_out(kernel, name, a, shape):
    check_shape(kernel, name, a, shape, "the why")


def kernel(x, out, t):
    N, H = shape_of("k", "x", x, 2)
    check_shape("k", "out", out, (N, 2 * H), "why")  # a comment that stays
    _check_out("k", "out", out, (N,
                                 H))
    check_operands("k", {"x": (x, (N, H)), "ids": (t, (N,), "iu")},
                   {"out": (out, x.shape)})
    check_apart("k", ("x", "t", "out"), (x, t, out), 2)
    if t < 0 or t >= N:
        raise IndexError("t")
'''
CHECKS = '''\
def check_index(kernel, name, value, end):
    if type(value) is int and 0 <= value < end:
        return
    for k in range(3):
        if k:
            raise IndexError(name)
'''


@pytest.fixture
def root(tmp_path):
    (tmp_path / "kernels").mkdir()
    (tmp_path / "kernels" / "demo.py").write_text(DEMO)
    (tmp_path / "kernels" / "_checks.py").write_text(CHECKS)
    return tmp_path


def _by_key(mutants):
    return {m.key.split(":", 1)[1]: m for m in mutants}


def test_each_kind_of_mutant_of_a_kernel(root):
    ms = _by_key(mutation_mutants.mutants_of(root, "kernels/demo.py"))
    assert {k for k in ms if k.startswith("remove:")} == {
        "remove:_check_out.check_shape()",
        "remove:kernel.shape_of(x)", "remove:kernel.check_shape(out)", "remove:kernel._check_out(out)",
        "remove:kernel.check_operands()", "remove:kernel.check_apart()"}
    # the helper's parameter is loosened where the helper is called, with the literal's own length
    assert {k for k in ms if k.startswith("loosen:")} == {
        "loosen:kernel.check_shape(out)[0]", "loosen:kernel.check_shape(out)[1]",
        "loosen:kernel._check_out(out)[0]", "loosen:kernel._check_out(out)[1]",
        "loosen:kernel.check_operands(ids)[0]",
        "loosen:kernel.check_operands(out)[0]", "loosen:kernel.check_operands(out)[1]",
        "loosen:kernel.check_operands(out)[2]"}  # x.shape: axes found at run time
    # none for x: (N, H) was read from x's own shape, so loosening it would change nothing
    assert {k for k in ms if k.startswith("entry:")} == {
        "entry:kernel.check_operands(-x)", "entry:kernel.check_operands(-ids)", "entry:kernel.check_operands(-out)",
        "entry:kernel.check_apart(-x)", "entry:kernel.check_apart(-t)", "entry:kernel.check_apart(-out)"}
    assert [k for k in ms if k.startswith("raise:")] == ["raise:kernel.if#1->False"]
    assert all(m.mode == "py" for m in ms.values())


def test_edits_change_only_the_mutated_text(root):
    ms = _by_key(mutation_mutants.mutants_of(root, "kernels/demo.py"))

    def diff(key):
        new = mutation_mutants.apply(DEMO, ms[key].edits).splitlines()
        return [line for line in new if line not in DEMO.splitlines()]
    assert diff("remove:kernel.check_shape(out)") == ["    pass  # a comment that stays"]
    assert diff("loosen:kernel.check_shape(out)[1]") == [
        '    check_shape("k", "out", out, __import__("_mutate_probe").loosen((N, 2 * H), out, 1), "why")'
        "  # a comment that stays"]
    assert diff("entry:kernel.check_operands(-ids)") == ['    check_operands("k", {"x": (x, (N, H))},']
    assert diff("entry:kernel.check_operands(-out)") == ["                   {})"]
    # an input dropped from check_apart leaves one input fewer
    assert diff("entry:kernel.check_apart(-t)") == ['    check_apart("k", ("x", "out"), (x, out), 1)']
    assert diff("raise:kernel.if#1->False") == ["    if False:"]
    assert ms["remove:kernel.check_shape(out)"].line == 10


def test_branch_mutants_of_the_checks_module(root):
    ms = _by_key(mutation_mutants.mutants_of(root, "kernels/_checks.py"))
    assert set(ms) == {
        "branch:check_index.if#1->False", "branch:check_index.if#1->True",
        "branch:check_index.if#1.and[0]->True", "branch:check_index.if#1.and[1]->True",
        "branch:check_index.if#1.cmp[0]", "branch:check_index.if#1.cmp[1]",
        "branch:check_index.for#1->skip", "branch:check_index.if#2->False"}  # no if#2->True: always raising
    assert "0 <= value and" not in mutation_mutants.apply(CHECKS, ms["branch:check_index.if#1.cmp[1]"].edits)
    assert "value < end:" in mutation_mutants.apply(CHECKS, ms["branch:check_index.if#1.cmp[1]"].edits)


def test_mutants_inside_an_overload_run_compiled(root):
    (root / "kernels" / "_checks.py").write_text(
        "@overload(f)\ndef _f_jit(a):\n    if a.layout in 'CF':\n        return g\n    return h\n")
    assert {m.mode for m in mutation_mutants.mutants_of(root, "kernels/_checks.py")} == {"jit"}


def test_the_probe_loosens_one_axis_and_notes_what_it_saw(tmp_path, monkeypatch):
    monkeypatch.setenv("MUTATE_PROBE", str(tmp_path / "probe"))
    space = {}
    exec((mc.SHIM / "_mutate_probe.py").read_text(), space)
    a = type("A", (), {"shape": (2, 5)})()
    assert space["loosen"]((2, 3), a, 1) == (2, 5)
    assert space["loosen"]((2, 3, 4), a, 2) == (2, 3, 4)  # a has no axis 2
    assert (tmp_path / "probe").read_text().split() == ["differed"]


def test_every_kernel_file_gives_mutants_with_unique_ids():
    ms = mutation_mutants.all_mutants(_path.parent.parent)
    assert len({m.key for m in ms}) == len(ms)
    assert {m.kind for m in ms} == {"remove", "entry", "loosen", "branch", "raise"}


def test_the_tests_of_a_module_include_the_modules_that_import_it():
    files = mc.test_files(_path.parent.parent, "matmul", "py")
    assert files[0].endswith("safety.py") and "tests/test_kernels.py" in files
    assert mc.test_files(_path.parent.parent, "matmul", "jit") == [mc.RULES] + [f for f in files if "safety" in f]


def test_a_kernel_mutant_runs_the_sweep_items_of_the_modules_that_can_see_it():
    root = _path.parent.parent
    assert mc.sweep_items(root, "rnn") == [f"{mc.SWEEP}[rnn]"]
    assert mc.sweep_items(root, "_greedy_step") == [f"{mc.SWEEP}[attention_generate]", f"{mc.SWEEP}[seq2seq_generate]"]
    assert mc.sweep_items(root, "_checks") == [f"{mc.SWEEP}["]  # every module sees it: every module's item
