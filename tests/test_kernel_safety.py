"""Every public kernel rejects bad operands before it touches memory.

Bad calls (each axis of each operand one too long or too short, mixed
float32/float64, outputs overlapping another operand in contiguous, strided,
reversed, transposed and interleaved views, bad repeat counts and axes, labels
out of range) are generated (tests/kernel_safety_cases.py) from one table of
good calls, SPECS (the chapter-1 kernels' below, the later chapters' in
tests/kernel_safety_specs.py).  Each must raise the exception named there,
with a message naming the kernel, and leave every array it was given as it was.

A kernel that writes out of bounds can kill the interpreter, so the calls run
in child processes (this file run as a script prints one JSON outcome per
call): by default one child per kernel module; if that child dies by a
signal, every call of the module is re-run alone to name the culprit.  With
--exhaustive, every call runs in its own child and every float argument gets
its dtype-mismatch case (the default run mixes one argument per kernel, since
each mixed signature is a fresh compile).
"""

import importlib
import json
import os
import pkgutil
import subprocess
import sys

import numpy as np
import pytest
from kernel_safety_cases import cases as _cases
from kernel_safety_specs import (
    LATER_NO_OPERANDS,
    Spec,
    _f,
    _labels,
    _one_hot,
    _replace,
    _returns_bad_row,
    _set,
    later_specs,
)

PKG = "fastnn.kernels"


def _bad_runs(kernel):
    return [("n=-1", _replace(n=-1), ("ValueError", rf"^{kernel}: n is -1; expected n >= 0")),
            ("axis=2", _replace(axis=2), ("ValueError", rf"^{kernel}: axis is 2; expected 0 or 1")),
            ("axis=-1", _replace(axis=-1), ("ValueError", rf"^{kernel}: axis is -1")),
            # 4 rows times 2**62 is 2**64, which wraps to 0 rows in int64: only
            # a check by division rejects this n.
            ("n=2**62", lambda args: dict(args, n=2**62, **{
                ("out" if kernel.startswith("repeat") else "x"): np.zeros((0, 4)),
                ("x" if kernel.startswith("repeat") else "out"): np.zeros((4, 4))}),
             ("ValueError", rf"^{kernel}: \w+ has shape"))]


def _specs():
    s = []
    # Kernels of any number of axes get 3-D operands, so that every axis is swept.
    # contiguous=True: flat loops over reshape(-1), which Numba compiles for
    # contiguous arrays only; a strided operand fails at typing, before any check.
    for p in ("", "_parallel"):
        s += [Spec(f"activation.sigmoid_forward{p}", lambda r: dict(x=_f(r, 2, 3, 5), out=_f(r, 2, 3, 5)), ("out",),
                   contiguous=True),
              Spec(f"activation.sigmoid_backward{p}",
                   lambda r: dict(dout=_f(r, 2, 3, 5), y=_f(r, 2, 3, 5), dx=_f(r, 2, 3, 5)), ("dx",), contiguous=True)]
    fwd = lambda n, d, h: lambda r: dict(x=_f(r, n, d), W=_f(r, d, h), b=_f(r, h), out=_f(r, n, h))
    bwd = lambda n, d, h: lambda r: dict(dout=_f(r, n, h), x=_f(r, n, d), W=_f(r, d, h),
                                         dx=_f(r, n, d), dW=_f(r, d, h), db=_f(r, h))
    mfwd = lambda n, d, h: lambda r: dict(x=_f(r, n, d), W=_f(r, d, h), out=_f(r, n, h))
    mbwd = lambda n, d, h: lambda r: dict(dout=_f(r, n, h), x=_f(r, n, d), W=_f(r, d, h),
                                          dx=_f(r, n, d), dW=_f(r, d, h))
    s += [Spec("affine.add_row", lambda r: dict(out=_f(r, 6, 4), b=_f(r, 4)), ("out",), free_axes={"out": (0,)}),
          Spec("affine.affine_forward_small", fwd(6, 3, 4), ("out",)),
          Spec("affine.affine_backward_small", bwd(6, 3, 4), ("dx", "dW", "db")),
          Spec("matmul.matmul_forward_small", mfwd(6, 3, 4), ("out",)),
          Spec("matmul.matmul_backward_small", mbwd(6, 3, 4), ("dx", "dW")),
          Spec("blas.dot", lambda r: dict(a=_f(r, 6, 3), b=_f(r, 3, 4), out=_f(r, 6, 4)), ("out",),
               label="blas.dot")]
    for variant, size in (("loops", (6, 3, 4)), ("blas", (40, 30, 20))):
        s += [Spec("affine.affine_forward", fwd(*size), ("out",), variant=variant),
              Spec("affine.affine_backward", bwd(*size), ("dx", "dW", "db"), variant=variant),
              Spec("matmul.matmul_forward", mfwd(*size), ("out",), variant=variant),
              Spec("matmul.matmul_backward", mbwd(*size), ("dx", "dW"), variant=variant)]
    s += [Spec("fast_exp.exp_into", lambda r: dict(x=_f(r, 7), out=_f(r, 7)), ("out",))]
    optimizers = {"sgd": ((), (0.1,)), "momentum": (("v",), (0.1, 0.9)), "nesterov": (("v",), (0.1, 0.9)),
                  "adagrad": (("h",), (0.1,)), "rmsprop": (("h",), (0.1, 0.99)),
                  "adam": (("m", "v"), (0.01, 0.9, 0.999))}
    for name, (states, hyper) in optimizers.items():
        def make(r, states=states, hyper=hyper):
            args = dict(param=_f(r, 2, 5, 3), grad=_f(r, 2, 5, 3))
            args.update({k: np.abs(_f(r, 2, 5, 3)) for k in states})
            args.update({f"hyper{i}": h for i, h in enumerate(hyper)})
            return args
        for p in ("", "_parallel"):
            s.append(Spec(f"optimizers.{name}_update{p}", make, ("param",) + states, contiguous=True))
    for p in ("", "_parallel"):
        for axis in (0, 1):
            long = (6, 4) if axis == 0 else (3, 8)
            rep, red = f"repeat_2d{p}", f"sum_runs_2d{p}"
            s += [Spec(f"repeat_sum.{rep}", lambda r, long=long, axis=axis: dict(
                      x=_f(r, 3, 4), n=2, axis=axis, out=_f(r, *long)), ("out",), variant=f"axis{axis}",
                      extras=_bad_runs(rep) if axis == 0 else []),
                  Spec(f"repeat_sum.{red}", lambda r, long=long, axis=axis: dict(
                      x=_f(r, *long), n=2, axis=axis, out=_f(r, 3, 4)), ("out",), variant=f"axis{axis}",
                      extras=_bad_runs(red) if axis == 0 else [])]
    for shape in ((6,), (2, 3, 2)):
        v = "x" + "x".join(map(str, shape))
        s += [Spec("sigmoid_loss.sigmoid_cross_entropy_forward", lambda r, shape=shape: dict(
                  x=_f(r, *shape), t=_labels(r, int(np.prod(shape)), 2).reshape(shape), y=_f(r, *shape)), ("y",), variant=v,
                  contiguous=True,
                  extras=[("label 2", _set("t", 1, 2), _returns_bad_row(1))] if len(shape) == 1 else []),
              Spec("sigmoid_loss.sigmoid_cross_entropy_backward", lambda r, shape=shape: dict(
                  y=_f(r, *shape), t=_labels(r, int(np.prod(shape)), 2).reshape(shape), dout=1.0, dx=_f(r, *shape)), ("dx",),
                  variant=v, contiguous=True)]
    for p in ("", "_parallel"):
        s += [Spec(f"softmax_loss.softmax_forward{p}", lambda r: dict(x=_f(r, 6, 5), y=_f(r, 6, 5)), ("y",)),
              Spec(f"softmax_loss.softmax_backward{p}",
                   lambda r: dict(y=_f(r, 6, 5), dout=_f(r, 6, 5), dx=_f(r, 6, 5)), ("dx",))]
        for v, lab in (("index", _labels), ("onehot", _one_hot)):
            fwd_extras = [] if v == "onehot" else [
                ("label=C", _set("t", 2, 5), _returns_bad_row(2)),
                ("label=-1", _set("t", 3, -1), _returns_bad_row(3)),
                ("label=2**40", _set("t", 0, 2**40), _returns_bad_row(0))]
            s += [Spec(f"softmax_loss.softmax_cross_entropy_forward{p}", lambda r, lab=lab: dict(
                      x=_f(r, 6, 5), t=lab(r, 6, 5), y=_f(r, 6, 5)), ("y",), variant=v, extras=fwd_extras),
                  Spec(f"softmax_loss.softmax_cross_entropy_backward{p}", lambda r, lab=lab: dict(
                      y=_f(r, 6, 5), t=lab(r, 6, 5), dout=1.0, dx=_f(r, 6, 5), batch_size=6), ("dx",),
                      variant=v, extras=[] if v == "onehot" else [  # labels are compared, never used as indices
                          ("label=2**40", _set("t", 0, 2**40), ("returns", lambda result: result is None))])]
    for name in ("cross_entropy", "cross_entropy_sum"):
        # Labels index y's columns: y may be of any width, a label beyond it is reported.
        s.append(Spec(f"softmax_loss.{name}", lambda r: dict(y=np.abs(_f(r, 6, 5)), t=_labels(r, 6, 5)), (),
                      variant="index", free_axes={"y": (1,)}, expect={"axis1-1:y": _returns_bad_row(0)},
                      extras=[("label=-7", _set("t", 4, -7), _returns_bad_row(4))]))
        s.append(Spec(f"softmax_loss.{name}", lambda r: dict(y=np.abs(_f(r, 6, 5)), t=_one_hot(r, 6, 5)), (),
                      variant="onehot"))
    return s


SPECS = _specs() + later_specs()

# Public callables that take no arrays: nothing to check against.
NO_OPERANDS = {
    "matmul.is_small": "three integers in, a bool out",
    "blas.threads_are_spinning": "no arguments",
    "fast_exp.exp_approx": "one scalar in, one out",
    **LATER_NO_OPERANDS,
}


def _spec_map():
    return {spec.name: spec for spec in SPECS}


def run_calls(spec_name, case_ids=None, exhaustive=False):
    """Run bad calls here, in this process; one JSON-able outcome per call."""
    spec = _spec_map()[spec_name]
    module, name = spec.kernel.split(".")
    kernel = getattr(importlib.import_module(f"{PKG}.{module}"), name)
    outcomes = []
    for case_id, change, _ in _cases(spec, exhaustive):
        if case_ids is not None and case_id not in case_ids:
            continue
        args = change(spec.make(np.random.default_rng(0)))
        before = {k: v.copy() for k, v in args.items() if isinstance(v, np.ndarray)}
        outcome = {"spec": spec_name, "case": case_id}
        try:
            result = kernel(*args.values())
            outcome.update(kind="returned", result=None if result is None else [float(v) for v in np.ravel(result)])
        except Exception as e:
            outcome.update(kind="raised", mro=[c.__name__ for c in type(e).__mro__], message=str(e))
        outcome["unchanged"] = [k for k, v in before.items() if not np.array_equal(v, args[k], equal_nan=True)] == []
        outcomes.append(outcome)
    return outcomes


def _child(spec_names, case=None, exhaustive=False):
    """Run the calls in a child process: (returncode, outcomes or None, stderr)."""
    command = [sys.executable, os.path.abspath(__file__), json.dumps([spec_names, case, exhaustive])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    outcomes = None
    if done.returncode == 0:
        outcomes = json.loads(done.stdout.strip().splitlines()[-1])
    return done.returncode, outcomes, done.stderr[-3000:]


def _judge(outcome, expected):
    """None if the outcome is what `expected` says, else what went wrong."""
    where = f"{outcome['spec']} {outcome['case']}"
    kind, check = expected
    if kind == "returns":
        if outcome["kind"] != "returned":
            return f"{where}: raised {outcome['mro'][0]}: {outcome['message']}"
        result = None if outcome["result"] is None else tuple(outcome["result"])
        return None if check(result) else f"{where}: returned {result}"
    if outcome["kind"] != "raised":
        return f"{where}: returned normally; expected {kind}"
    import re
    if kind not in outcome["mro"] or not re.search(check, outcome["message"]):
        return f"{where}: raised {outcome['mro'][0]}: {outcome['message']!r}; expected {kind} matching {check!r}"
    if not outcome["unchanged"]:
        return f"{where}: raised as expected but changed an argument"
    return None


def _check_outcomes(outcomes, exhaustive):
    expected = {(spec.name, case_id): want for spec in SPECS for case_id, _, want in _cases(spec, exhaustive)}
    problems = [p for o in outcomes if (p := _judge(o, expected[(o["spec"], o["case"])]))]
    assert not problems, "\n".join(problems)


def _died(returncode, stderr):
    return f"died (return code {returncode}):\n{stderr}"


MODULES = sorted({spec.kernel.split(".")[0] for spec in SPECS})


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_bad_calls_of_each_module_raise_and_change_nothing(module, request):
    """One child per module; with --exhaustive, with every case of the exhaustive tier
    (as plain Python, for tools/mutate_checks.py, that costs no compiles)."""
    exhaustive = request.config.getoption("--exhaustive")
    names = [spec.name for spec in SPECS if spec.kernel.startswith(module + ".")]
    returncode, outcomes, stderr = _child(names, exhaustive=exhaustive)
    if outcomes is None:  # a crash: run every call alone to name the ones that kill the process
        culprits = []
        for name in names:
            for case_id, _, _ in _cases(_spec_map()[name], exhaustive):
                code, alone, err = _child([name], case_id, exhaustive)
                if alone is None:
                    culprits.append(f"{name} {case_id}: {_died(code, err)}")
        pytest.fail(f"the child for {module} {_died(returncode, stderr)}\nculprits:\n" + "\n".join(culprits))
    assert len(outcomes) == sum(len(_cases(_spec_map()[n], exhaustive)) for n in names)
    _check_outcomes(outcomes, exhaustive)


@pytest.mark.exhaustive
@pytest.mark.parametrize("name,case_id", [(spec.name, case_id) for spec in SPECS
                                          for case_id, _, _ in _cases(spec, True)])
def test_each_bad_call_alone(name, case_id):
    returncode, outcomes, stderr = _child([name], case_id, exhaustive=True)
    assert outcomes is not None, _died(returncode, stderr)
    assert len(outcomes) == 1
    _check_outcomes(outcomes, True)


def test_every_public_kernel_is_in_the_table():
    """A new public callable in kernels/ needs bad calls in SPECS (or a reason in NO_OPERANDS)."""
    package = importlib.import_module(PKG)
    public = set()
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{PKG}.{info.name}")
        for name, obj in vars(module).items():
            if not name.startswith("_") and callable(obj) and getattr(obj, "__module__", None) == module.__name__:
                public.add(f"{info.name}.{name}")
    covered = {spec.kernel for spec in SPECS} | set(NO_OPERANDS)
    assert public - covered == set(), "public kernels without bad calls in SPECS"
    assert covered - public == set(), "SPECS names callables that are not public kernels"


def test_the_cases_cover_shapes_dtypes_overlap_and_short_outputs():
    """Every axis of every operand one larger and one smaller; every output against every
    other operand in every overlap layout; and the Specs' declarations name real cases."""
    kinds = {case_id.split(":")[0] for spec in SPECS for case_id, _, _ in _cases(spec, False)}
    assert {"axis0+1", "axis0-1", "axis1+1", "axis1-1", "axis2+1", "axis2-1", "tiny", "dtype",
            "overlap", "offset", "step2", "reversed", "transposed", "interleaved"} <= kinds
    for spec in SPECS:
        args = spec.make(np.random.default_rng(0))
        arrays = {k: v for k, v in args.items() if isinstance(v, np.ndarray)}
        ids = [case_id for case_id, _, _ in _cases(spec, False)]
        generated = set(ids)
        assert len(ids) == len(generated), f"{spec.name}: duplicate case ids"
        for k, a in arrays.items():
            for axis, size in enumerate(a.shape):
                assert f"axis{axis}+1:{k}" in generated and (size == 0 or f"axis{axis}-1:{k}" in generated)
        for w in spec.writes:
            others = [k for k in arrays if k != w]
            for k in others:
                assert {f"overlap:{w}~{k}", f"offset:{w}~{k}"} <= generated, (spec.name, w, k)
                if not (spec.is_contiguous(w) and spec.is_contiguous(k)):
                    assert {f"step2:{w}~{k}", f"reversed:{w}~{k}"} <= generated, (spec.name, w, k)
            if not spec.is_contiguous(w) and any(not spec.is_contiguous(k) for k in others):
                assert any(i.startswith(f"interleaved:{w}~") for i in ids), (spec.name, w)
        for k, axes in spec.free_axes.items():
            assert set(axes) <= set(range(arrays[k].ndim)), (spec.name, k)
        every = generated | {case_id for case_id, _, _ in _cases(spec, True)}  # the exhaustive tier's too
        assert set(spec.expect) <= every, f"{spec.name}: expect names no generated case"
        assert spec.contiguous is True or set(spec.contiguous) <= set(arrays), spec.name


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_the_strided_cases_build_the_views_they_name(spec):
    """Each strided case's pair shares memory (interleaved: only its address range), its
    view is of the kind named, and all the strided cases of a kernel share one layout
    per operand (one Numba compile)."""
    layouts = set()
    for case_id, change, _ in _cases(spec, False):
        kind, _, pair = case_id.partition(":")
        if kind not in ("step2", "reversed", "transposed", "interleaved"):
            continue
        args = change(spec.make(np.random.default_rng(0)))
        w, k = (args[name] for name in pair.split("~"))
        assert np.may_share_memory(w, k) and np.shares_memory(w, k) == (kind != "interleaved"), case_id
        styled = w if not spec.is_contiguous(pair.split("~")[0]) else k
        if kind == "reversed":
            assert min(styled.strides) < 0, case_id
        if kind == "transposed":
            assert styled.strides[0] < styled.strides[-1], case_id
        layouts.add(tuple((name, a.flags.c_contiguous, a.flags.f_contiguous)
                          for name, a in args.items() if isinstance(a, np.ndarray)))
    assert len(layouts) <= 1, f"{spec.name}: {layouts}"
    for layout in layouts:
        assert all(not c and not f for name, c, f in layout if not spec.is_contiguous(name)), layout


if __name__ == "__main__":
    spec_names, only_case, exhaustive = json.loads(sys.argv[1])
    results = []
    for spec_name in spec_names:
        results += run_calls(spec_name, None if only_case is None else {only_case}, exhaustive)
    print(json.dumps(results))
