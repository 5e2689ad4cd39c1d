"""The table of good kernel calls that tests/test_kernel_safety.py turns into bad ones.

``Spec`` and the small helpers the specs are built from live here; so do the
specs of the later chapters' kernels (``later_specs``: recurrent steps,
attention, embeddings, word statistics, sampling, dropout, the time loss).
The chapter-1 specs stay beside the test; tests/kernel_safety_cases.py derives
the bad calls.  Imported by the test both under pytest and when the test runs
as a child script (tests/ is then sys.path[0]).
"""

from dataclasses import dataclass, field

import numpy as np
from kernel_safety_cases import RETURNS


@dataclass
class Spec:
    """A good call of `kernel` ("module.name") and what it writes."""

    kernel: str
    make: object  # rng -> dict of arguments, in call order
    writes: tuple  # arguments the kernel writes (outputs, and in/out arguments)
    label: str = ""  # the kernel's name in its messages (default: its function name)
    variant: str = ""
    extras: list = field(default_factory=list)  # (id, change(args), expected); replace generated cases of that id
    # operand -> its axes of any length (add_row's out rows): a change of one is a good call
    free_axes: dict = field(default_factory=dict)
    expect: dict = field(default_factory=dict)  # case id -> expected, where a generated case's differs
    # operands the strided overlap cases leave contiguous, as the kernel needs them; True: all of them
    contiguous: tuple = ()

    def is_contiguous(self, operand):
        return self.contiguous is True or operand in self.contiguous

    @property
    def name(self):
        return self.kernel + (f"[{self.variant}]" if self.variant else "")

    @property
    def message_name(self):
        return self.label or self.kernel.split(".")[1]


def _f(rng, *shape):
    return rng.standard_normal(shape)


def _labels(rng, n, c):
    return rng.integers(0, c, n).astype(np.int64)


def _one_hot(rng, n, c):
    return np.eye(c, dtype=np.int32)[rng.integers(0, c, n)]


def _returns_bad_row(row):
    return ("returns", lambda result: result[1] == row and np.isnan(result[0]))


def _returns(*values):
    return ("returns", lambda result: result == values)


def _set(name, index, value):
    def change(args):
        args[name] = args[name].copy()
        args[name][index] = value
        return args
    return change


def _replace(**values):
    def change(args):
        args.update(values)
        return args
    return change


def _raises(kind, kernel, pattern):
    return (kind, rf"^{kernel}: {pattern}")


# ------------------------------------------------------ the later chapters

N, T, H = 2, 3, 2  # the recurrent steps: batch, steps, hidden size


def _steps(kernel):
    """Time indices outside [0, T)."""
    return [(f"t={t}", _replace(t=t), _raises("IndexError", kernel, rf"t is {t}; expected an integer in \[0, {T}\)"))
            for t in (T, -1)]


def _recurrent(s):
    G4, G3 = 4 * H, 3 * H
    seq, state = (N, T, H), (N, H)
    s += [Spec("rnn.rnn_step_forward", lambda r: dict(hw=_f(r, *state), xw=_f(r, *state), b=_f(r, H),
                                                      h=_f(r, *state), out=_f(r, *state)), ("h", "out"),
               extras=[("h is out", lambda args: dict(args, out=args["h"]), ("returns", lambda result: result is None))]),
          Spec("rnn.rnn_step_backward", lambda r: dict(dhs=_f(r, *state), dh_next=_f(r, *state), h=_f(r, *state),
                                                       dt=_f(r, *state), dt_out=_f(r, *state)), ("dt", "dt_out")),
          Spec("lstm.lstm_forward_step", lambda r: dict(
              t=1, gh=_f(r, N, G4), b=_f(r, G4), gates=_f(r, N, T, G4), hprev=_f(r, *seq), cprev=_f(r, *seq),
              tanh_c=_f(r, *seq), hs=_f(r, *seq), h_last=_f(r, *state), c_last=_f(r, *state)),
               ("gates", "hprev", "cprev", "tanh_c", "hs", "h_last", "c_last"), extras=_steps("lstm_forward_step")),
          Spec("lstm.lstm_backward_step", lambda r: dict(
              t=2, dhs=_f(r, *seq), dh_rec=_f(r, *state), dc=_f(r, *state), gates=_f(r, N, T, G4), cprev=_f(r, *seq),
              tanh_c=_f(r, *seq), dA=_f(r, N, T, G4), db=_f(r, G4)), ("dc", "dA", "db"),
               extras=_steps("lstm_backward_step")),
          Spec("gru.gru_forward_gates", lambda r: dict(
              t=0, gh=_f(r, N, 2 * H), b=_f(r, G3), gates=_f(r, N, T, G3), hprev=_f(r, *seq), rh=_f(r, *seq)),
               ("gates", "rh"), extras=_steps("gru_forward_gates")),
          Spec("gru.gru_forward_candidate", lambda r: dict(
              t=2, gh=_f(r, *state), b=_f(r, G3), gates=_f(r, N, T, G3), hprev=_f(r, *seq), hs=_f(r, *seq),
              h_last=_f(r, *state)), ("gates", "hprev", "hs", "h_last"), extras=_steps("gru_forward_candidate")),
          Spec("gru.gru_backward_candidate", lambda r: dict(
              t=2, dhs=_f(r, *seq), dh_part=_f(r, *state), dh_mm=_f(r, *state), gates=_f(r, N, T, G3),
              dh=_f(r, *state), dA=_f(r, N, T, G3), db=_f(r, G3)), ("dh", "dA", "db"),
               extras=_steps("gru_backward_candidate")),
          Spec("gru.gru_backward_gates", lambda r: dict(
              t=1, dh=_f(r, *state), drh=_f(r, *state), gates=_f(r, N, T, G3), hprev=_f(r, *seq),
              dA=_f(r, N, T, G3), dh_part=_f(r, *state), db=_f(r, G3)), ("dA", "dh_part", "db"),
               extras=_steps("gru_backward_gates"))]


def _attention(s):
    Te, Td, D = 3, 2, 4
    s += [Spec("attention.weight_sum_forward", lambda r: dict(hs=_f(r, N, T, D), a=_f(r, N, T), c=_f(r, N, D)),
               ("c",)),
          Spec("attention.weight_sum_backward", lambda r: dict(
              hs=_f(r, N, T, D), a=_f(r, N, T), dc=_f(r, N, D), dhs=_f(r, N, T, D), da=_f(r, N, T)), ("dhs", "da")),
          Spec("attention.attention_weight_forward", lambda r: dict(hs=_f(r, N, T, D), h=_f(r, N, D), a=_f(r, N, T)),
               ("a",)),
          Spec("attention.attention_weight_backward", lambda r: dict(
              hs=_f(r, N, T, D), h=_f(r, N, D), a=_f(r, N, T), da=_f(r, N, T), dhs=_f(r, N, T, D), dh=_f(r, N, D)),
               ("dhs", "dh")),
          Spec("attention.time_attention_forward", lambda r: dict(
              enc=_f(r, N, Te, D), dec=_f(r, N, Td, D), a=_f(r, N, Td, Te), out=_f(r, N, Td, D)), ("a", "out")),
          Spec("attention.time_attention_backward", lambda r: dict(
              enc=_f(r, N, Te, D), dec=_f(r, N, Td, D), a=_f(r, N, Td, Te), dout=_f(r, N, Td, D),
              denc=_f(r, N, Te, D), ddec=_f(r, N, Td, D)), ("denc", "ddec"))]
    V, W, S, G = 7, 5, 4, 4 * H
    ids = lambda r: _labels(r, T, V)
    bad_ids = lambda k: [("ids=V", _set("ids", 1, V), _raises("IndexError", k, r"ids holds ids in \[\d, 7\]"))]
    bad_start = lambda k: [(f"start_id={i}", _replace(start_id=i),
                            _raises("IndexError", k, rf"start_id is {i}; expected an integer in \[0, {V}\)"))
                           for i in (V, -1)]
    # The tables may have any number of rows (V): the ids are checked against it,
    # so one row fewer is still a good call while no id reaches V - 1.
    fewer_rows = lambda k: _raises(
        "IndexError", k, rf"ids holds ids in \[\d, {V - 1}\]; expected ids in \[0, {V - 1}\)")
    s += [Spec("attention_generate.attention_encode", lambda r: dict(
              table=_f(r, V, G), Wh=_f(r, H, G), ids=ids(r), hs=_f(r, T, H)), ("hs",),
               free_axes={"table": (0,)}, extras=bad_ids("attention_encode")),
          Spec("attention_generate.attention_greedy_decode", lambda r: dict(
              table=_f(r, V, G), Wh=_f(r, H, G), enc=_f(r, Te, H), Waff=_f(r, 2 * H, W), baff=_f(r, W),
              h=_f(r, H), c=_f(r, H), start_id=1, weights=_f(r, S, Te), out_ids=np.zeros(S, np.int64)),
               ("h", "c", "weights", "out_ids"), free_axes={"table": (0,)},
               extras=bad_start("attention_greedy_decode") + [
                   ("Te=0", lambda args: dict(args, enc=args["enc"][:0], weights=args["weights"][:, :0]),
                    _raises("ValueError", "attention_greedy_decode", r"enc is empty"))]),
          # Any question length and any number of ids to decode (ids' and out_ids' widths).
          Spec("attention_generate.attention_generate_batch", lambda r: dict(
              enc_table=_f(r, V, G), enc_Wh=_f(r, H, G), dec_table=_f(r, V, G), dec_Wh=_f(r, H, G),
              Waff=_f(r, 2 * H, W), baff=_f(r, W), ids=r.integers(0, V, (N, T)), start_ids=_labels(r, N, V),
              out_ids=np.zeros((N, S), np.int64)), ("out_ids",),
               free_axes={"enc_table": (0,), "dec_table": (0,), "ids": (1,), "out_ids": (1,)},
               expect={"axis0-1:enc_table": fewer_rows("attention_generate_batch")},
               extras=[("ids=V", _set("ids", (1, 2), V), _raises("IndexError", "attention_generate_batch",
                                                                  r"ids holds ids in \[\d, 7\]")),
                       ("start_ids=-1", _set("start_ids", 0, -1), _raises("IndexError", "attention_generate_batch",
                                                                           r"start_ids holds ids in \[-1, \d\]")),
                       ("Te=0", lambda args: dict(args, ids=args["ids"][:, :0]),
                        _raises("ValueError", "attention_generate_batch", r"ids is 0 columns wide"))]),
          Spec("seq2seq_generate.lstm_encode", lambda r: dict(
              table=_f(r, V, G), Wh=_f(r, H, G), ids=ids(r), h=_f(r, H), c=_f(r, H)), ("h", "c"),
               free_axes={"table": (0,), "ids": (0,)}, extras=bad_ids("lstm_encode")),  # any number of ids
          # out_ids may have any length: it alone says how many ids to decode.
          Spec("seq2seq_generate.lstm_greedy_decode", lambda r: dict(
              table=_f(r, V, G), const=_f(r, G), Wh=_f(r, H, G), Waff=_f(r, H, W), score_const=_f(r, W),
              h=_f(r, H), c=_f(r, H), start_id=2, out_ids=np.zeros(S, np.int64)), ("h", "c", "out_ids"),
               free_axes={"table": (0,), "out_ids": (0,)}, extras=bad_start("lstm_greedy_decode")),
          # Any question length and any number of ids to decode (ids' and out_ids' widths).
          Spec("seq2seq_generate.lstm_encode_batch", lambda r: dict(
              table=_f(r, V, G), Wh=_f(r, H, G), ids=r.integers(0, V, (N, T)), h=_f(r, N, H), c=_f(r, N, H)),
               ("h", "c"), free_axes={"table": (0,), "ids": (1,)},
               expect={"axis0-1:table": fewer_rows("lstm_encode_batch")},
               extras=[("ids=V", _set("ids", (1, 2), V), _raises("IndexError", "lstm_encode_batch",
                                                                  r"ids holds ids in \[\d, 7\]"))]),
          Spec("seq2seq_generate.lstm_greedy_decode_batch", lambda r: dict(
              table=_f(r, V, G), const=_f(r, N, G), Wh=_f(r, H, G), Waff=_f(r, H, W), score_const=_f(r, N, W),
              h=_f(r, N, H), c=_f(r, N, H), start_ids=_labels(r, N, V), out_ids=np.zeros((N, S), np.int64)),
               ("h", "c", "out_ids"), free_axes={"table": (0,), "out_ids": (1,)},
               extras=[("start_ids=-1", _set("start_ids", 0, -1), _raises("IndexError", "lstm_greedy_decode_batch",
                                                                           r"start_ids holds ids in \[-1, \d\]"))])]


def _words(s):
    V, D, M, C = 6, 3, 5, 2
    idx = lambda r, *shape: r.integers(0, V, shape).astype(np.int64)
    bad = lambda name, index: [(f"{name}=V", _set(name, index, V), _returns(index[0] if len(index) == 1
                                                                            else index[0] * C + index[1]))]
    # W and dW may have any number of rows: ids outside them are reported (the
    # position of the first), as bad ones are; idx holds V - 1 at the position
    # each axis0-1:dW expects.  idx stays contiguous in the strided
    # overlap cases: first_bad_index flattens it with reshape(-1), which Numba
    # compiles for contiguous arrays only.
    words = dict(contiguous=("idx",))
    s += [Spec("embedding.first_bad_index", lambda r: dict(idx=idx(r, M), n_rows=V), (), free_axes={"idx": (0,)},
               extras=[("idx=-1", _set("idx", 3, -1), _returns(3))]),
          Spec("embedding.embedding_forward", lambda r: dict(W=_f(r, V, D), idx=idx(r, M), out=_f(r, M, D)),
               ("out",), free_axes={"W": (0,)}, extras=bad("idx", (2,)), **words),
          Spec("embedding.embedding_backward", lambda r: dict(dout=_f(r, M, D), idx=idx(r, M), dW=_f(r, V, D)),
               ("dW",), free_axes={"dW": (0,)}, expect={"axis0-1:dW": _returns(0)}, extras=bad("idx", (4,)),
               **words),
          Spec("embedding.scatter_add", lambda r: dict(dout=_f(r, M, D), idx=idx(r, M), dW=_f(r, V, D)),
               ("dW",), free_axes={"dW": (0,)}, expect={"axis0-1:dW": _returns(0)}, extras=bad("idx", (0,)),
               **words),
          Spec("embedding.embedding_mean_forward", lambda r: dict(W=_f(r, V, D), idx=idx(r, M, C), out=_f(r, M, D)),
               ("out",), free_axes={"W": (0,), "idx": (1,)}, extras=[("idx=V", _set("idx", (1, 1), V), _returns(3))],
               **words),
          Spec("embedding.embedding_mean_backward", lambda r: dict(dout=_f(r, M, D), idx=idx(r, M, C),
                                                                   dW=_f(r, V, D)),
               ("dW",), free_axes={"dW": (0,), "idx": (1,)}, expect={"axis0-1:dW": _returns(0)},
               extras=[("idx=V", _set("idx", (2, 0), V), _returns(4))], **words),
          Spec("embedding.embedding_dot_forward", lambda r: dict(
              W=_f(r, V, D), idx=idx(r, M, C), h=_f(r, M, D), rows=_f(r, M, C, D), out=_f(r, M, C)),
               ("rows", "out"), free_axes={"W": (0,)}, extras=[("idx=V", _set("idx", (4, 1), V), _returns(9))],
               **words),
          Spec("embedding.embedding_dot_backward", lambda r: dict(
              dout=_f(r, M, C), h=_f(r, M, D), rows=_f(r, M, C, D), idx=idx(r, M, C), dW=_f(r, V, D),
              dh=_f(r, M, D)), ("dW", "dh"), free_axes={"dW": (0,)}, expect={"axis0-1:dW": _returns(2)},
               extras=[("idx=V", _set("idx", (0, 1), V), _returns(1))], **words)]
    K, group = 6, 3
    bad_group = lambda k: [(f"group={g}", _replace(group=g), _raises("ValueError", k, f"group is {g}"))
                           for g in (0, 4)]
    s += [Spec("negative_sampling.binary_losses_forward", lambda r: dict(scores=_f(r, M, K), group=group,
                                                                         y=_f(r, M, K)), ("y",),
               extras=bad_group("binary_losses_forward")),
          Spec("negative_sampling.binary_losses_backward", lambda r: dict(
              y=_f(r, M, K), group=group, dout=1.0, dscores=_f(r, M, K)), ("dscores",),
               extras=bad_group("binary_losses_backward"))]
    R, S = 4, 2
    # cdf, uniforms and the width of out may have any length
    s += [Spec("sampling.fill_negative_samples", lambda r: dict(
              cdf=np.cumsum(r.random(V) + 0.1), target=idx(r, R), uniforms=r.random(40),
              out=np.zeros((R, S), np.int32), row=0, col=0), ("out",),
               free_axes={"cdf": (0,), "uniforms": (0,), "out": (1,)},
               extras=[("row=-1", _replace(row=-1), _raises("ValueError", "fill_negative_samples", "row is -1")),
                       ("col=S", _replace(col=S), _raises("ValueError", "fill_negative_samples", f"col is {S}"))])]


def _statistics(s):
    V, n = 5, 12
    corpus = lambda r: r.integers(0, V, n).astype(np.int64)
    counts = lambda r: r.integers(0, 4, (V, V)).astype(np.int32)
    outside = ("ValueError", r"^co_occurrence: corpus\[\d+\] is \d, outside the vocabulary \[0, 1\)")
    s += [Spec("cooccurrence.co_occurrence", lambda r: dict(
              corpus=corpus(r), window=2, counts=np.zeros((V, V), np.int32), parallel=False, shift=None),
               # counts must be C-contiguous (checked before overlap); a (1, 1) counts is square: the ids are refused
               ("counts",), free_axes={"corpus": (0,)}, contiguous=("counts",), expect={"tiny:counts": outside},
               extras=[("id=V", _set("corpus", 3, V), ("ValueError", rf"^co_occurrence: corpus\[3\] is {V}")),
                       ("window=-1", _replace(window=-1), ("ValueError", r"^co_occurrence: window is -1"))]),
          Spec("ppmi.column_sums", lambda r: dict(counts=counts(r), sums=np.zeros(V, np.int64)), ("sums",)),
          Spec("ppmi.ppmi_rows", lambda r: dict(
              counts=(c := counts(r)), sums=c.sum(0).astype(np.int64), eps=1e-8, out=np.zeros((V, V), np.float32),
              start=0, stop=None, parallel=False), ("out",),
               extras=[("stop=V+1", _replace(stop=V + 1), ("ValueError", r"^ppmi_rows: rows \[0, 6\)"))])]


def _elementwise(s):
    shape, R, V = (2, 3, 4), 6, 5  # 3-D: the dropout kernels take any number of axes
    s += [Spec("dropout.dropout_forward", lambda r: dict(
              x=_f(r, *shape), u=r.random(shape), ratio=0.5, mask=np.zeros(shape, np.bool_), out=_f(r, *shape)),
               # flat loops: see the chapter-1 sigmoid's specs; u (np.random.rand's) may have either float dtype
               ("mask", "out"), contiguous=True, expect={"dtype:u": RETURNS}),
          Spec("dropout.dropout_backward", lambda r: dict(
              dout=_f(r, *shape), mask=r.random(shape) > 0.5, dx=_f(r, *shape)), ("dx",), contiguous=True),
          Spec("time_dropout.time_dropout_forward", lambda r: dict(
              x=_f(r, *shape), u=r.random(shape), ratio=0.5, scale=2.0, mask=_f(r, *shape), out=_f(r, *shape)),
               ("mask", "out"), contiguous=True, expect={"dtype:u": RETURNS}),
          Spec("fast_tanh.tanh_into", lambda r: dict(x=_f(r, 7), out=_f(r, 7)), ("out",))]
    labels = lambda r: np.where(r.random(R) < 0.3, -1, _labels(r, R, V))
    for p in ("", "_parallel"):
        k = f"time_softmax_loss_backward{p}"
        s += [Spec(f"time_softmax_loss.{k}", lambda r: dict(
                  y=np.abs(_f(r, R, V)), t=labels(r), ignore=-1, dout=1.0, count=4, dx=_f(r, R, V)), ("dx",),
                   extras=[("label=V", _set("t", 2, V), _raises("IndexError", k, rf"t\[2\] is {V}; expected a label"))]),
              Spec(f"time_softmax_loss.time_softmax_loss_forward_grad{p}", lambda r: dict(
                  x=_f(r, R, V), t=labels(r), ignore=-1, count=4, y=_f(r, R, V), dx=_f(r, R, V)), ("y", "dx"),
                   extras=[("label=V", _set("t", 3, V), _returns_bad_row(3)),
                           ("label=-2", _set("t", 1, -2), _returns_bad_row(1))])]


def later_specs():
    s = []
    for add in (_recurrent, _attention, _words, _statistics, _elementwise):
        add(s)
    return s


# Public callables of the later chapters that take no arrays.
LATER_NO_OPERANDS = {
    "fast_tanh.tanh_approx": "one scalar in, one out",
    "cooccurrence.block_shift": "one integer in, one out",
    "cooccurrence.check_shift": "integers in, an integer out (or ValueError)",
    "ppmi.sum_dtype": "a dtype in, a dtype out",
}
