"""Operand checks that every public kernel runs before it touches memory.

Each check compares a few integers (shapes, addresses) and raises, naming the
kernel, the argument, what it found and what it expected.  check_shape and
check_no_overlap are Numba helpers inlined into the kernels; the address
ranges that check_no_overlap compares come from an intrinsic (_span_compiled),
a few LLVM instructions compiled with the kernel, not a Numba function of their
own compiled once per pair of array types.  The Python wrappers
(affine.affine_forward, ...) run the same helpers as plain Python through
in_python, so the messages are the same everywhere and a call from Python
compiles nothing but the kernel it runs.

The exceptions carry their parts as ``args`` and format them in ``__str__``:
a Numba kernel can raise an exception with values known only at run time, but
building the message text inside the kernel made a first compile 3 s slower.

A dtype mismatch is known when Numba compiles a kernel for its argument types:
``check_same_dtype`` is then either nothing or an unconditional raise.
"""

import types as types_module

import numpy as np
from numba import njit
from numba.core import cgutils, config, types
from numba.extending import intrinsic, overload

from ._config import HELPER


class ShapeMismatch(ValueError):
    """args: (kernel, argument, shape found, shape expected, why)."""

    def __str__(self):
        kernel, name, found, expected, why = self.args
        return f"{kernel}: {name} has shape {tuple(found)}; expected {tuple(expected)} ({why})"


class DtypeMismatch(TypeError):
    """args: (kernel, argument, dtype found, dtype expected, reference argument)."""

    def __str__(self):
        kernel, name, found, expected, reference = self.args
        return (f"{kernel}: {name} has dtype {found}; expected {expected}, the dtype of {reference} "
                "(all float operands of a kernel share one dtype; cast them first)")


class Overlap(ValueError):
    """args: (kernel, output, input)."""

    def __str__(self):
        kernel, out_name, in_name = self.args
        return (f"{kernel}: {out_name} overlaps {in_name} in memory; expected separate arrays "
                f"(pass a fresh array as {out_name})")


class BadIndex(IndexError):
    """args: (kernel, argument, value found, end): the value must lie in [0, end)."""

    def __str__(self):
        kernel, name, found, end = self.args
        return f"{kernel}: {name} is {found}; expected an integer in [0, {end})"


class BadLabel(IndexError):
    """args: (kernel, row, label found, end, ignore): labels lie in [0, end) or are `ignore`."""

    def __str__(self):
        kernel, row, found, end, ignore = self.args
        return f"{kernel}: t[{row}] is {found}; expected a label in [0, {end}) or the ignore label {ignore}"


class BadArgument(ValueError):
    """args: (kernel, argument, value found, what is expected)."""

    def __str__(self):
        kernel, name, found, expected = self.args
        return f"{kernel}: {name} is {found}; expected {expected}"


@njit(**HELPER)
def check_shape(kernel, name, a, expected, why):
    """a.shape must be the tuple `expected`."""
    if a.shape != expected:
        raise ShapeMismatch(kernel, name, a.shape, expected, why)


def check_same_dtype(kernel, name, a, reference_name, reference):
    """a must have reference's dtype (plain Python; the jitted form is below)."""
    if a.dtype != reference.dtype:
        raise DtypeMismatch(kernel, name, str(a.dtype), str(reference.dtype), reference_name)


@overload(check_same_dtype, jit_options=HELPER)
def _check_same_dtype_jit(kernel, name, a, reference_name, reference):
    if a.dtype == reference.dtype:
        return lambda kernel, name, a, reference_name, reference: None
    found, expected = str(a.dtype), str(reference.dtype)

    def fail(kernel, name, a, reference_name, reference):
        raise DtypeMismatch(kernel, name, found, expected, reference_name)

    return fail


def _span_in_python(a):
    """[lo, hi): the byte addresses a's elements can occupy; (0, 0), which meets
    nothing, for an empty array.  The compiled form is _span_compiled."""
    if a.size == 0:
        return 0, 0
    lo = hi = a.ctypes.data
    for k in range(a.ndim):
        reach = a.strides[k] * (a.shape[k] - 1)
        if reach < 0:
            lo += reach
        else:
            hi += reach
    return lo, hi + a.itemsize


def _span_ir(context, builder, array_type, value):  # pragma: no cover - runs only while Numba compiles
    """The LLVM instructions of _span_in_python for one array: (lo, hi) as intp values."""
    array = cgutils.create_struct_proxy(array_type)(context, builder, value=value)
    intp = context.get_value_type(types.intp)
    zero = intp(0)
    lo = hi = builder.ptrtoint(array.data, intp)
    empty = cgutils.false_bit
    shape = cgutils.unpack_tuple(builder, array.shape, array_type.ndim)
    strides = cgutils.unpack_tuple(builder, array.strides, array_type.ndim)
    for extent, stride in zip(shape, strides):
        empty = builder.or_(empty, builder.icmp_signed("==", extent, zero))
        reach = builder.mul(stride, builder.sub(extent, intp(1)))
        negative = builder.icmp_signed("<", reach, zero)
        lo = builder.add(lo, builder.select(negative, reach, zero))
        hi = builder.add(hi, builder.select(negative, zero, reach))
    hi = builder.add(hi, array.itemsize)
    return builder.select(empty, zero, lo), builder.select(empty, zero, hi)


# _span_in_python for compiled code, as a few LLVM instructions: as a Numba
# function, inlined or called, the address arithmetic was most of the compile
# time of a kernel that checks many pairs (affine_backward_small: ten).
@intrinsic
def _span_compiled(typingctx, a):  # pragma: no cover - runs only while Numba compiles
    def codegen(context, builder, signature, args):
        span = _span_ir(context, builder, signature.args[0], args[0])
        return context.make_tuple(builder, signature.return_type, span)
    return types.UniTuple(types.intp, 2)(a), codegen


def _spans_in_python(arrays):
    """(lo0, hi0, lo1, hi1, ...): the spans of a tuple of arrays, as _span_in_python."""
    return tuple(bound for a in arrays for bound in _span_in_python(a))


# _spans_in_python for compiled code: the tuple's arrays may differ in type,
# which a Numba loop could only walk with literal_unroll, slow to compile.
@intrinsic
def _spans_compiled(typingctx, arrays):  # pragma: no cover - runs only while Numba compiles
    def codegen(context, builder, signature, args):
        spans = []
        for i, array_type in enumerate(signature.args[0]):
            spans.extend(_span_ir(context, builder, array_type, builder.extract_value(args[0], i)))
        return context.make_tuple(builder, signature.return_type, spans)
    return types.UniTuple(types.intp, 2 * len(arrays))(arrays), codegen


# What the jitted helpers call; under NUMBA_DISABLE_JIT they run as plain Python.
_span = _span_in_python if config.DISABLE_JIT else _span_compiled
_spans = _spans_in_python if config.DISABLE_JIT else _spans_compiled


@njit(**HELPER)
def check_no_overlap(kernel, out_name, out, in_name, a):
    """out and a must not share memory; conservative, like np.may_share_memory:
    address ranges that meet count as overlapping even if the elements interleave."""
    out_lo, out_hi = _span(out)
    a_lo, a_hi = _span(a)
    if out_lo < a_hi and a_lo < out_hi:
        raise Overlap(kernel, out_name, in_name)


@njit(cache=True)
def check_apart(kernel, names, arrays, n_inputs):
    """Every output, arrays[n_inputs:], overlaps no other operand (as check_no_overlap).

    For kernels with many operand pairs (the recurrent steps, affine/matmul backward, Adam):
    the address ranges of all operands at once, then a plain loop compares them, which
    compiles in less time than an inlined check per pair.
    names is a tuple of strings, arrays a tuple of arrays in the same order.
    """
    spans = _spans(arrays)
    for j in range(n_inputs, len(arrays)):
        for k in range(j):
            if spans[2 * j] < spans[2 * k + 1] and spans[2 * k] < spans[2 * j + 1]:
                raise Overlap(kernel, names[j], names[k])


# For the Python wrappers (affine.affine_forward, blas.dot, the recurrent and
# attention kernels, ...), which read shapes before any kernel runs: plain
# Python, never compiled.

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def check_float_array(kernel, name, a, ndim):
    """a must be a native float32 or float64 ndarray with ndim dimensions."""
    if not isinstance(a, np.ndarray) or a.dtype not in _FLOATS:
        found = f"an array of dtype {a.dtype}" if isinstance(a, np.ndarray) else f"a {type(a).__name__}"
        raise TypeError(f"{kernel}: {name} is {found}; expected a float32 or float64 numpy array "
                        "in native byte order")
    if a.ndim != ndim:
        raise BadArgument(kernel, name, f"{a.ndim}-D with shape {a.shape}", f"a {ndim}-D array")


def check_c_contiguous(kernel, name, a):
    """a must be C-contiguous (an output that BLAS writes)."""
    if not a.flags.c_contiguous:
        raise BadArgument(kernel, name, "not C-contiguous", "a C-contiguous array (np.empty gives one)")


def check_operands(kernel, inputs, outputs, overlap=True):
    """Check a Python-level kernel's operands before any is read or written.

    inputs and outputs map name -> (array, expected shape tuple) for float operands,
    all of the first one's dtype (float32 or float64), or (array, expected
    shape, dtype) for the others (ids, counts, masks): dtype a numpy dtype, or
    a string of dtype kinds ("iu": any integer type).  Outputs must be writable and, with
    `overlap`, share no memory with any other operand (a kernel whose hot loop
    is jitted checks that there, with check_apart, for a few ns).
    """
    # The recurrent steps call this once per time step: a few attribute reads per
    # operand, and every message is built only on the way out.
    dtype = reference = None
    for written, named in ((False, inputs), (True, outputs)):
        for name, entry in named.items():
            a = entry[0]
            if type(a) is not np.ndarray:
                raise TypeError(f"{kernel}: {name} is a {type(a).__name__}; expected a numpy array")
            if len(entry) == 3:
                _check_fixed_dtype(kernel, name, a, entry[2])
            elif dtype is None:
                dtype, reference = a.dtype, name
                if dtype not in _FLOATS:
                    raise TypeError(f"{kernel}: {name} has dtype {dtype}; expected float32 or float64")
            elif a.dtype != dtype:
                raise DtypeMismatch(kernel, name, str(a.dtype), str(dtype), reference)
            if a.shape != entry[1]:
                raise ShapeMismatch(kernel, name, a.shape, entry[1], "from the other operands")
            if written and not a.flags.writeable:
                raise BadArgument(kernel, name, "read-only", "a writable array (it is written)")
    if overlap:
        arrays = [(name, entry[0]) for name, entry in inputs.items()]
        for name, entry in outputs.items():  # each output against every operand before it
            for other, a in arrays:
                if np.may_share_memory(entry[0], a):
                    raise Overlap(kernel, name, other)
            arrays.append((name, entry[0]))


def shape_of(kernel, name, a, ndim):
    """a's shape, after checking that it is a numpy array of ndim dimensions
    (check_operands checks the rest: sizes read from it are used to build the expected shapes)."""
    if type(a) is not np.ndarray:
        raise TypeError(f"{kernel}: {name} is a {type(a).__name__}; expected a numpy array")
    if a.ndim != ndim:
        raise ValueError(f"{kernel}: {name} has shape {a.shape}; expected a {ndim}-D array")
    return a.shape


def _check_fixed_dtype(kernel, name, a, dtype):
    if isinstance(dtype, str):
        if a.dtype.kind not in dtype:
            kinds = {"i": "signed integer", "u": "unsigned integer", "f": "float", "b": "bool"}
            raise TypeError(f"{kernel}: {name} has dtype {a.dtype}; expected a "
                            + " or ".join(kinds[k] for k in dtype) + " dtype")
    elif a.dtype != dtype:
        raise TypeError(f"{kernel}: {name} has dtype {a.dtype}; expected {np.dtype(dtype)}")


def check_index(kernel, name, value, end):
    """value must be a Python or numpy integer (not a bool) in [0, end)."""
    if type(value) is int and 0 <= value < end:  # the usual case, at once
        return
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not 0 <= value < end:
        raise BadIndex(kernel, name, repr(value), end)


def check_ids(kernel, name, ids, end):
    """Every id of an integer array in [0, end); the array's type and shape are checked by check_operands."""
    if ids.size and (ids.min() < 0 or ids.max() >= end):
        raise IndexError(f"{kernel}: {name} holds ids in [{ids.min()}, {ids.max()}]; expected ids in [0, {end})")


def in_python(helper):
    """A jitted check helper as plain Python, for the Python wrappers: its code,
    with the jitted helpers it calls replaced by their plain-Python forms, so
    that nothing is compiled for a call from Python and the messages are the same."""
    python = _IN_PYTHON.get(helper)
    if python is None:
        function = getattr(helper, "py_func", helper)
        names = dict(function.__globals__)
        for name in function.__code__.co_names:
            value = names.get(name)
            if value is _span_compiled:
                names[name] = _span_in_python
            elif value is _spans_compiled:
                names[name] = _spans_in_python
            elif getattr(value, "targetoptions", {}).get("inline") == "always":
                names[name] = in_python(value)
        python = _IN_PYTHON[helper] = types_module.FunctionType(
            function.__code__, names, function.__name__, function.__defaults__, function.__closure__)
    return python


_IN_PYTHON = {}
