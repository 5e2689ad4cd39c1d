"""The optimizers' benchmark cases (benchmarks/cases.py lists them all): the
book's and fastnn's optimizer classes with the book's hyper-parameters, how to
read each one's state arrays, and ``optimizer_update``, which makes the builder
of one optimizer's update over a layer's params.
"""

from fastnn import optimizer

from . import book_numpy as book
from .case_common import SIZES, Pair, _normal, _rng

# -- optimizers ---------------------------------------------------------------

# name -> the book's optimizer class and the names of its state lists, in the
# order fastnn's class keeps them (its STATE).
BOOK_OPTIMIZERS = {
    "sgd": (book.SGD, ()),
    "momentum": (book.Momentum, ("v",)),
    "nesterov": (book.Nesterov, ("v",)),
    "adagrad": (book.AdaGrad, ("h",)),
    "rmsprop": (book.RMSprop, ("h",)),
    "adam": (book.Adam, ("m", "v")),
}


def book_state(name, opt):
    """The book optimizer's state arrays (empty before its first update)."""
    return [arr for attr in BOOK_OPTIMIZERS[name][1] for arr in (getattr(opt, attr) or ())]


# The book's default hyper-parameters, given to both members.
OPTIMIZERS = {
    "sgd": (optimizer.SGD, {"lr": 0.01}),
    "momentum": (optimizer.Momentum, {"lr": 0.01, "momentum": 0.9}),
    "nesterov": (optimizer.Nesterov, {"lr": 0.01, "momentum": 0.9}),
    "adagrad": (optimizer.AdaGrad, {"lr": 0.01}),
    "rmsprop": (optimizer.RMSprop, {"lr": 0.01, "decay_rate": 0.99}),
    "adam": (optimizer.Adam, {"lr": 0.001, "beta1": 0.9, "beta2": 0.999}),
}


def _fastnn_state(opt):
    """The fastnn optimizer's state arrays, in the order book_state gives the book's.

    Read from the class's own list of state names, so that the timed call pays
    no more for it than the numpy member pays for its state.
    """
    return [arr for name in type(opt).STATE for arr in getattr(opt, name)]


def optimizer_update(name):
    """Builder of the `name` update over one layer's params [W (D, H), b (H,)].

    Each member updates its own copy of the params in place, so repeated timed
    calls drift (harmlessly: the gradients are fixed and every value stays
    finite); only the first call of each, from the same start, is compared.
    """

    def build(size, dtype):
        s, rng = SIZES[size], _rng()
        params = [_normal(rng, (s.d_in, s.hidden), dtype, 0.01), _normal(rng, (s.hidden,), dtype, 0.01)]
        grads = [_normal(rng, p.shape, dtype, 0.1) for p in params]
        cls, hyper = OPTIMIZERS[name]
        book_opt, fast = BOOK_OPTIMIZERS[name][0](**hyper), cls(**hyper)
        book_params = [p.copy() for p in params]
        fast_params = [p.copy() for p in params]

        def numpy_way():
            book_opt.update(book_params, grads)
            return (*book_params, *book_state(name, book_opt))

        def fastnn_way():
            fast.update(fast_params, grads)
            return (*fast_params, *_fastnn_state(fast))

        names = ("W", "b") + tuple(f"state{i}" for i in range(2 * len(BOOK_OPTIMIZERS[name][1])))
        return Pair(f"{s.d_in}x{s.hidden}+{s.hidden}", numpy=numpy_way, fastnn=fastnn_way, names=names)

    build.__name__ = f"{name}_update"
    return build
