"""The bad calls that tests/test_kernel_safety.py derives from each good call (a Spec).

``cases(spec, exhaustive)`` lists (case id, change(args) -> args, expected):

- ``axis{a}+1:{k}``, ``axis{a}-1:{k}``: axis a of array operand k one larger or
  one smaller (not below 0), the other axes right.  A shape error, unless the
  Spec declares the axis free (``free_axes``): then it is a good call, which
  must return.
- ``tiny:{w}``: every axis of an output 1 at once.
- ``dtype:{k}``: one float operand float32 among float64 ones (quick tier: the last one only).
- An output w overlapping another operand k, each expected to raise Overlap
  naming the two: ``overlap:`` (contiguous, w starting inside k's last
  element), ``offset:`` (contiguous, k starting in the middle of w),
  ``step2:``, ``reversed:``, ``transposed:`` (w, or k where w must stay
  contiguous, is such a view, see _strided_pair), and once per output
  ``interleaved:`` (w and k alternate element by element: no element shared,
  but their address ranges meet, which the documented check counts as overlap).

A Spec's ``expect`` restates the outcome of a generated case; its ``extras``
replace generated cases of the same id, or add to them.

A strided or reversed operand is a new Numba signature, so a compile.  All the
strided cases of one kernel share one: every array operand a non-contiguous
view (layout 'A'), except those the Spec lists in ``contiguous`` (ones the
kernel rejects or cannot compile strided).  So each kernel compiles once more
for them, whatever the number of pairs and view kinds.
"""

import numpy as np

F32 = np.dtype(np.float32)
RETURNS = ("returns", lambda result: True)  # a good call: any result, no exception
STRIDED_KINDS = ("step2", "reversed", "transposed")


def cases(spec, exhaustive):
    """[(case id, change(args) -> args, (exception or "returns", regex or check))] for one spec."""
    args = spec.make(np.random.default_rng(0))
    arrays = [k for k, v in args.items() if isinstance(v, np.ndarray)]
    floats = [k for k in arrays if args[k].dtype.kind == "f"]
    label = spec.message_name.replace(".", r"\.")
    shape_error = ("ValueError", rf"^{label}: \w+ has shape \(")
    found = []
    for k in arrays:
        free = spec.free_axes.get(k, ())
        for axis, size in enumerate(args[k].shape):
            for delta in (1, -1):
                if size + delta >= 0:
                    found.append((f"axis{axis}{delta:+d}:{k}", _swap(k, _resize(axis, delta)),
                                  RETURNS if axis in free else shape_error))
    for w in spec.writes:  # every axis wrong at once: a good call only if every axis changed is free
        free = spec.free_axes.get(w, ())
        good = all(size == 1 or axis in free for axis, size in enumerate(args[w].shape))
        found.append((f"tiny:{w}", _swap(w, lambda a: np.ones((1,) * a.ndim, a.dtype)),
                      RETURNS if good else shape_error))
    # quick tier: the last float operand only (each mixed call compiles the kernel once more)
    mixed = [] if len(floats) < 2 else floats if exhaustive else floats[-1:]
    for k in mixed:
        found.append((f"dtype:{k}", _swap(k, lambda a: a.astype(F32)),
                      ("TypeError", rf"^{label}: \w+ has dtype float(32|64); expected float(32|64)")))
    overlap = lambda w, k: ("ValueError", rf"^{label}: ({w} overlaps {k}|{k} overlaps {w}) in memory")
    for w in spec.writes:
        others = [k for k in arrays if k != w]
        for k in others:
            found.append((f"overlap:{w}~{k}", _contiguous_pair(k, w, _last_element), overlap(w, k)))
            found.append((f"offset:{w}~{k}", _contiguous_pair(w, k, _middle), overlap(w, k)))
            styled = _styled_one(spec, w, k)
            if styled is not None:
                for kind in STRIDED_KINDS:
                    if kind != "transposed" or args[styled].ndim >= 2:  # a 1-D array is its own transpose
                        found.append((f"{kind}:{w}~{k}", _strided_pair(spec, k, w, styled, kind), overlap(w, k)))
        apart = [k for k in others if not spec.is_contiguous(k)]
        if apart and not spec.is_contiguous(w):
            k = apart[0]
            found.append((f"interleaved:{w}~{k}", _interleaved(spec, w, k), overlap(w, k)))
    found = [(i, change, spec.expect.get(i, want)) for i, change, want in found]
    replaced = {case[0] for case in spec.extras}
    return [case for case in found if case[0] not in replaced] + list(spec.extras)


def _swap(name, new):
    def change(args):
        args[name] = new(args[name])
        return args
    return change


def _resize(axis, delta):
    def new(a):
        shape = list(a.shape)
        shape[axis] += delta
        return np.ones(shape, a.dtype)
    return new


# ------------------------------------------------------------ overlapping operands

def _in_one_buffer(first, second, start):
    """Contiguous arrays of first's and second's shapes and dtypes in one buffer, second
    starting at byte start(first.nbytes, second.itemsize) of first (a multiple of its itemsize)."""
    offset = start(first.nbytes, second.itemsize)
    buffer = np.zeros(max(first.nbytes, offset + second.nbytes), np.uint8)
    a = buffer[:first.nbytes].view(first.dtype).reshape(first.shape)
    b = buffer[offset:offset + second.nbytes].view(second.dtype).reshape(second.shape)
    return a, b


def _last_element(nbytes, itemsize):
    return (nbytes - 1) // itemsize * itemsize


def _middle(nbytes, itemsize):
    return nbytes // 2 // itemsize * itemsize


def _fill(pairs):
    """Copy values into views that may share bytes (the later pairs win the shared ones)."""
    for view, value in pairs:
        view[...] = value


def _contiguous_pair(first, second, start):
    """first and second contiguous in one buffer, second from byte start(...) of first."""
    def change(args):
        a, b = _in_one_buffer(args[first], args[second], start)
        _fill([(b, args[second]), (a, args[first])])
        assert np.shares_memory(a, b)
        args[first], args[second] = a, b
        return args
    return change


def _first_long_axis(shape):
    return next((i for i, n in enumerate(shape) if n >= 2), 0)


def _view(kind, shape):
    """(shape of a contiguous base, base -> a non-contiguous view of `shape` into it).

    The view holds the base's first and last elements, so views of two bases that
    share a byte share an element.  step2: every other element along an axis;
    reversed: [::-1] along it; transposed: .T of a step-2 view of the transposed shape.
    """
    if kind == "transposed":
        base_shape, step = _view("step2", shape[::-1])
        return base_shape, lambda base: step(base).T
    axis = _first_long_axis(shape)
    index = (slice(None),) * axis
    if kind == "reversed":
        return shape, lambda base: base[index + (slice(None, None, -1),)]
    base_shape = list(shape)
    base_shape[axis] = max(2 * shape[axis] - 1, 0)
    return tuple(base_shape), lambda base: base[index + (slice(None, None, 2),)]


def _strided(a):
    """A non-contiguous copy of a (a step-2 view of a fresh base)."""
    base_shape, view = _view("step2", a.shape)
    v = view(np.empty(base_shape, a.dtype))
    v[...] = a
    return v


def _styled_one(spec, w, k):
    """Which of w and k gets the strided kinds' layout: w, unless the kernel needs it contiguous."""
    for name in (w, k):
        if not spec.is_contiguous(name):
            return name
    return None  # both must be contiguous: no strided case for this pair


def _strided_pair(spec, first, second, styled, kind):
    """first and second share an element: bases in one buffer, second's starting inside
    first's last element; `styled` of the two is a `kind` view of its base, the other a
    step-2 view.  Every other operand is a step-2 view too (one signature for all kinds)."""
    def change(args):
        _strided_rest(spec, args, (first, second))
        made = {name: (args[name].shape, lambda base: base) if spec.is_contiguous(name)
                else _view(kind if name == styled else "step2", args[name].shape) for name in (first, second)}
        bases = _in_one_buffer(np.empty(made[first][0], args[first].dtype),
                               np.empty(made[second][0], args[second].dtype), _last_element)
        views = {name: made[name][1](base) for name, base in zip((first, second), bases, strict=True)}
        _fill([(views[second], args[second]), (views[first], args[first])])
        assert np.shares_memory(views[first], views[second])
        args.update(views)
        return args
    return change


def _strided_rest(spec, args, pair):
    """Every operand but the pair a step-2 view, unless the kernel needs it contiguous."""
    for name, a in args.items():
        if isinstance(a, np.ndarray) and name not in pair and not spec.is_contiguous(name):
            args[name] = _strided(a)


def _interleaved(spec, w, k):
    """w and k alternating in one buffer, each element of one between two of the other."""
    def change(args):
        _strided_rest(spec, args, (w, k))
        a, b = args[w], args[k]
        pitch = 2 * max(a.itemsize, b.itemsize)  # both aligned, neither's bytes inside the other's
        buffer = np.zeros(pitch * max(a.size, b.size), np.uint8)
        views = [np.ndarray(x.shape, x.dtype, buffer, start, _pitched_strides(x.shape, pitch))
                 for x, start in ((a, 0), (b, pitch // 2))]
        _fill(zip(views, (a, b), strict=True))
        assert np.may_share_memory(*views) and not np.shares_memory(*views)
        args[w], args[k] = views
        return args
    return change


def _pitched_strides(shape, pitch):
    strides, step = [], pitch
    for n in reversed(shape):
        strides.insert(0, step)
        step *= n
    return tuple(strides)
