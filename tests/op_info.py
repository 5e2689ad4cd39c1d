"""The records of the op registry (tests/op_registry.py): ``SampleInput`` (one
input an op must handle: its arrays, labels and keyword settings), ``ErrorInput``
(one call an op must reject, with the exception type and message pattern) and
``OpInfo`` (one public op: how to run it, its reference, its samples and its
error inputs).  The registry's docstring says how the tests use them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class SampleInput:
    name: str
    arrays: dict
    labels: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)

    def replace_arrays(self, arrays=None, labels=None):
        return SampleInput(
            self.name,
            dict(self.arrays if arrays is None else arrays),
            dict(self.labels if labels is None else labels),
            dict(self.kwargs),
        )


@dataclass(frozen=True)
class ErrorInput:
    name: str
    setup: Callable  # dtype -> (call, watched)
    exc: type
    match: str
    xfail: str | None = None


@dataclass(frozen=True)
class OpInfo:
    """An op of fastnn's public API.

    run(sample) -> dict of results (outputs, dx, grads, updated params);
    reference(sample) -> the same dict from tests/reference.py, given the
    sample's arrays in float64; samples: name -> (rng, dtype) -> SampleInput;
    sample_xfail: name -> reason, for samples the current code gets wrong;
    data_arrays: names of the arrays that are data (converted in the
    float16 / big-endian / list tests), the others being params;
    mutates: names of arrays the op updates in place (optimizer params);
    build: the op's object and call arguments, without calling it (see below);
    saved: names of a layer's attributes that backward reads.
    """

    name: str
    kind: str  # "layer", "function" or "optimizer"
    run: Callable
    reference: Callable
    samples: dict
    error_inputs: tuple = ()
    sample_xfail: dict = field(default_factory=dict)
    data_arrays: tuple = ("x", "dout")
    mutates: tuple = ()
    conversion_xfail: dict = field(default_factory=dict)
    sample_xfail_nojit: dict = field(default_factory=dict)  # only when NUMBA_DISABLE_JIT=1
    # Layers: sample -> (layer, forward args, backward args), for tests that act
    # between the calls; optimizers: sample -> (optimizer, params, [grads of each step]).
    build: Callable | None = None
    saved: tuple = ()  # layers: the book's attributes that forward saves and backward reads
    # False: the op keeps numpy's own dtypes (relu), so test_conversion's float32/float64
    # targets do not apply; its conversions are tested beside it (tests/test_relu.py).
    conversions: bool = True
