"""The chapter 6-8 models in PyTorch eager, written as a PyTorch user would write
them (nn.Embedding, nn.LSTM, nn.Linear, F.cross_entropy), for the ``torch``
members of benchmarks/test_bench_rnnlm.py, test_bench_seq2seq.py and
test_bench_attention.py.  Imports torch: those files import this module only
inside the functions that need it, so they import without torch.

Every model is built from a book model's (benchmarks/book_*.py) params, in the
book model's ``params`` order, and ``book_params`` / ``book_grads`` give its
tensors back in that order and layout, for comparing a first step:

- an LSTM's Wx (D, 4H), Wh (H, 4H), b (4H,) with gates f, g, i, o side by side
  are torch's weight_ih (4H, D), weight_hh (4H, H), bias_ih with gates i, f, g, o;
- torch's LSTM has a second bias, bias_hh, which the book's has not: it is set
  to zero and frozen (requires_grad False, left out of the optimizer), so the
  trained parameters are the book's and a step clips and updates the same set;
- BetterRnnlm ties the output Linear's weight (V, H) to the embedding (V, D),
  as the book's TimeAffine(embed_W.T) (one tensor, whose gradient is the sum
  that the book's remove_duplicate makes).

``stepper`` is one of the book's Trainer iterations: forward, backward,
clip_grad_norm_ (the book's clip_grads: the same scale, max / (norm + 1e-6)),
optimizer.step.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def set_threads(threads):
    """Give torch's intra-op pool as many threads as numpy's BLAS has; returns torch."""
    torch.set_num_threads(threads)
    return torch


def _gate_order(H):
    """Book columns in torch's row order: torch's gate i is the book's third, f its first, ..."""
    return np.r_[2 * H:3 * H, 0:H, H:2 * H, 3 * H:4 * H]


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))


def _load_lstm(lstm, layer, Wx, Wh, b):
    order = _gate_order(Wh.shape[0])
    with torch.no_grad():
        getattr(lstm, f"weight_ih_l{layer}").copy_(_t(Wx[:, order].T))
        getattr(lstm, f"weight_hh_l{layer}").copy_(_t(Wh[:, order].T))
        getattr(lstm, f"bias_ih_l{layer}").copy_(_t(b[order]))
        getattr(lstm, f"bias_hh_l{layer}").zero_()
    getattr(lstm, f"bias_hh_l{layer}").requires_grad_(False)


def _load_linear(linear, W, b):
    with torch.no_grad():
        linear.weight.copy_(_t(W.T))
        linear.bias.copy_(_t(b))


def _lstm_as_book(lstm, layer, get):
    """(Wx, Wh, b) in the book's layout, from get(param) of one layer's tensors."""
    H = lstm.hidden_size
    back = np.argsort(_gate_order(H))  # torch rows -> book columns
    Wx = get(getattr(lstm, f"weight_ih_l{layer}"))[back].T
    Wh = get(getattr(lstm, f"weight_hh_l{layer}"))[back].T
    b, hh = get(getattr(lstm, f"bias_ih_l{layer}")), get(getattr(lstm, f"bias_hh_l{layer}"))
    # the book's b is bias_ih + bias_hh (bias_hh zero and frozen, so no gradient);
    # were bias_hh trained, b would move twice a step and a comparison would fail
    return [Wx, Wh, (b if hh is None else b + hh)[back]]


class _BookLayout(nn.Module):
    def book_params(self):
        return self._as_book(lambda p: p.detach().numpy().copy())

    def book_grads(self):
        return self._as_book(lambda p: None if p.grad is None else p.grad.numpy().copy())


class Rnnlm(_BookLayout):
    """Chapter 6's Rnnlm: Embedding, one stateful LSTM, Linear; mean cross-entropy."""

    def __init__(self, embed_W, Wx, Wh, b, affine_W, affine_b):
        super().__init__()
        V, D = embed_W.shape
        H = Wh.shape[0]
        self.embed = nn.Embedding(V, D)
        self.lstm = nn.LSTM(D, H, batch_first=True)
        self.affine = nn.Linear(H, V)
        with torch.no_grad():
            self.embed.weight.copy_(_t(embed_W))
        _load_lstm(self.lstm, 0, Wx, Wh, b)
        _load_linear(self.affine, affine_W, affine_b)
        self.state = None

    def forward(self, xs, ts):
        out, state = self.lstm(self.embed(xs), self.state)
        self.state = tuple(s.detach() for s in state)  # carried on, truncated, as the book's stateful LSTM
        scores = self.affine(out)
        return F.cross_entropy(scores.reshape(-1, scores.shape[-1]), ts.reshape(-1))

    def _as_book(self, get):
        return [get(self.embed.weight), *_lstm_as_book(self.lstm, 0, get),
                get(self.affine.weight).T, get(self.affine.bias)]


class BetterRnnlm(_BookLayout):
    """Chapter 6's BetterRnnlm: Embedding, dropout, a 2-layer stateful LSTM with dropout
    between the layers, dropout, a Linear tied to the embedding.  torch's dropout
    draws its own masks, so a step matches the book's only with dropout off (eval())."""

    def __init__(self, embed_W, Wx1, Wh1, b1, Wx2, Wh2, b2, affine_W, affine_b, dropout_ratio=0.5):
        super().__init__()
        V, D = embed_W.shape
        H = Wh1.shape[0]
        if not np.array_equal(affine_W, embed_W.T):
            raise ValueError("BetterRnnlm: affine_W is not embed_W.T; the book's model ties them")
        self.embed = nn.Embedding(V, D)
        self.drop = nn.Dropout(dropout_ratio)
        self.lstm = nn.LSTM(D, H, num_layers=2, dropout=dropout_ratio, batch_first=True)
        self.affine = nn.Linear(H, V)
        self.affine.weight = self.embed.weight  # weight tying, (V, H) both ways
        with torch.no_grad():
            self.embed.weight.copy_(_t(embed_W))
            self.affine.bias.copy_(_t(affine_b))
        _load_lstm(self.lstm, 0, Wx1, Wh1, b1)
        _load_lstm(self.lstm, 1, Wx2, Wh2, b2)
        self.state = None

    def forward(self, xs, ts):
        out, state = self.lstm(self.drop(self.embed(xs)), self.state)
        self.state = tuple(s.detach() for s in state)
        scores = self.affine(self.drop(out))
        return F.cross_entropy(scores.reshape(-1, scores.shape[-1]), ts.reshape(-1))

    def _as_book(self, get):
        W = get(self.embed.weight)
        return [W, *_lstm_as_book(self.lstm, 0, get), *_lstm_as_book(self.lstm, 1, get),
                W.T, get(self.affine.bias)]


class _Seq2seq(_BookLayout):
    """Encoder embedding + LSTM, decoder embedding + LSTM + Linear, from the book's
    params [enc embed_W, Wx, Wh, b, dec embed_W, Wx, Wh, b, affine_W, affine_b]."""

    def __init__(self, params):
        super().__init__()
        e_W, e_Wx, e_Wh, e_b, d_W, d_Wx, d_Wh, d_b, a_W, a_b = params
        H = e_Wh.shape[0]
        self.enc_embed = nn.Embedding(*e_W.shape)
        self.enc_lstm = nn.LSTM(e_Wx.shape[0], H, batch_first=True)
        self.dec_embed = nn.Embedding(*d_W.shape)
        self.dec_lstm = nn.LSTM(d_Wx.shape[0], H, batch_first=True)
        self.affine = nn.Linear(*a_W.shape)
        with torch.no_grad():
            self.enc_embed.weight.copy_(_t(e_W))
            self.dec_embed.weight.copy_(_t(d_W))
        _load_lstm(self.enc_lstm, 0, e_Wx, e_Wh, e_b)
        _load_lstm(self.dec_lstm, 0, d_Wx, d_Wh, d_b)
        _load_linear(self.affine, a_W, a_b)

    def _as_book(self, get):
        return [get(self.enc_embed.weight), *_lstm_as_book(self.enc_lstm, 0, get),
                get(self.dec_embed.weight), *_lstm_as_book(self.dec_lstm, 0, get),
                get(self.affine.weight).T, get(self.affine.bias)]

    @staticmethod
    def _loss(scores, ts):
        return F.cross_entropy(scores.reshape(-1, scores.shape[-1]), ts[:, 1:].reshape(-1))


class PeekySeq2seq(_Seq2seq):
    """Chapter 7's PeekySeq2seq: the encoder's last h starts the decoder's LSTM (c at
    zero) and is concatenated, [h, x], to every step's LSTM input and Linear input."""

    def forward(self, xs, ts):
        _, (h, _) = self.enc_lstm(self.enc_embed(xs))  # h: (1, N, H)
        dec_in = self.dec_embed(ts[:, :-1])
        N, T, _ = dec_in.shape
        hs = h[0].unsqueeze(1).expand(N, T, h.shape[-1])
        out, _ = self.dec_lstm(torch.cat((hs, dec_in), dim=2), (h, torch.zeros_like(h)))
        return self._loss(self.affine(torch.cat((hs, out), dim=2)), ts)


class AttentionSeq2seq(_Seq2seq):
    """Chapter 8's AttentionSeq2seq: the decoder's LSTM starts from the encoder's last
    state; at each step, weights softmax(enc_hs . h_t) over the input steps, context
    their weighted sum of enc_hs; the Linear reads [context, h_t]."""

    def forward(self, xs, ts):
        enc_hs, _ = self.enc_lstm(self.enc_embed(xs))  # (N, Tx, H)
        h0 = enc_hs[:, -1].unsqueeze(0)
        dec_hs, _ = self.dec_lstm(self.dec_embed(ts[:, :-1]), (h0, torch.zeros_like(h0)))
        weights = torch.softmax(torch.bmm(dec_hs, enc_hs.transpose(1, 2)), dim=2)  # (N, Tt, Tx)
        context = torch.bmm(weights, enc_hs)
        return self._loss(self.affine(torch.cat((context, dec_hs), dim=2)), ts)


def ids(a):
    """int64 tensor of a numpy id array (any strides)."""
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.int64))


def trained(model):
    """The parameters a step trains (bias_hh left out: frozen at zero)."""
    return [p for p in model.parameters() if p.requires_grad]


def stepper(model, optimizer, xs, ts, max_grad):
    """A zero-argument training step (the book's Trainer's iteration); returns the loss."""
    x, t = ids(xs), ids(ts)
    params = trained(model)

    def step():
        optimizer.zero_grad()
        loss = model(x, t)
        loss.backward()
        nn.utils.clip_grad_norm_(params, max_grad)
        optimizer.step()
        return loss.item()

    return step


def first_gradients(model, xs, ts, max_grad):
    """(loss, clipped gradients in the book's layout) of one forward and backward."""
    for p in model.parameters():
        p.grad = None
    loss = model(ids(xs), ids(ts))
    loss.backward()
    nn.utils.clip_grad_norm_(trained(model), max_grad)
    return loss.item(), model.book_grads()


def sgd(model, lr):
    return torch.optim.SGD(trained(model), lr=lr)


def adam(model, lr=0.001):
    return torch.optim.Adam(trained(model), lr=lr)


# The book's Adam step t is p -= lr * m_hat / (sqrt(v_hat) + 1e-7 / sqrt(1 - beta2 ** t)):
# torch's Adam with this eps makes the book's first step (and only the first).
BOOK_ADAM_FIRST_EPS = 1e-7 / np.sqrt(1 - 0.999)


def assert_first_adam_step(model, xs, ts, max_grad, ref, ref_adam, remove_duplicate, clip_grads):
    """model's first step against the book model ref's (ref_adam: the book's Adam, fresh).
    Compared: the loss, the clipped gradients before the update, and the params after
    one torch Adam update with eps BOOK_ADAM_FIRST_EPS (not the timed optimizer's)."""
    expected = ref.forward(xs, ts)
    ref.backward()
    params, grads = remove_duplicate(ref.params, ref.grads)
    clip_grads(grads, max_grad)
    loss, ours = first_gradients(model, xs, ts, max_grad)
    assert_loss_close(loss, expected)
    assert_arrays_close(ours, ref.grads)
    ref_adam.update(params, grads)
    torch.optim.Adam(trained(model), lr=ref_adam.lr, eps=BOOK_ADAM_FIRST_EPS).step()
    assert_arrays_close(model.book_params(), ref.params)


def assert_loss_close(loss, expected, rtol=1e-4):
    assert abs(loss - expected) <= rtol * abs(expected), (loss, expected)


def assert_arrays_close(ours, theirs, rtol=1e-4):
    """Each pair close, with an absolute floor scaled to the reference array's largest entry."""
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert a.shape == b.shape, (k, a.shape, b.shape)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * float(np.abs(b).max()), err_msg=f"param {k}")
