"""The book's BaseModel (common/base_model.py): saving and loading params.

The file format is the book's: a pickled list of float16 arrays, one per entry
of ``params`` in order, so a file saved by the book's code loads here and the
other way round.  Loading checks the whole file against the model first, so a
file of another model or of other sizes raises a clear error and leaves the
params as they were.
"""

import os
import pickle

import numpy as np


class BaseModel:
    """Base of the chapter 6-8 models: ``params``, ``grads``, save_params, load_params."""

    def __init__(self):
        self.params, self.grads = None, None

    def forward(self, *args):
        raise NotImplementedError

    def backward(self, *args):
        raise NotImplementedError

    def _file(self, file_name):
        if file_name is None:
            file_name = self.__class__.__name__ + ".pkl"
        return os.fspath(file_name).replace("/", os.sep)

    def save_params(self, file_name=None):
        """Write params as float16 arrays to ``file_name`` (default '<ClassName>.pkl')."""
        params = [np.asarray(p).astype(np.float16) for p in self.params]
        with open(self._file(file_name), "wb") as f:
            pickle.dump(params, f)

    def load_params(self, file_name=None):
        """Copy the arrays saved in ``file_name`` into params, in place (float16 -> params' dtype)."""
        file_name = self._file(file_name)
        where = f"{self.__class__.__name__}.load_params"
        if not os.path.exists(file_name):
            raise FileNotFoundError(f"{where}: no file {file_name!r}")
        with open(file_name, "rb") as f:
            try:
                loaded = pickle.load(f)
            except Exception as error:
                raise ValueError(f"{where}: {file_name!r} is not a saved params file ({error})") from None
        if not isinstance(loaded, (list, tuple)) or not all(isinstance(p, np.ndarray) for p in loaded):
            raise ValueError(f"{where}: {file_name!r} holds {type(loaded).__name__}; expected a list of arrays")
        if len(loaded) != len(self.params):
            raise ValueError(
                f"{where}: {file_name!r} holds {len(loaded)} arrays; this model has {len(self.params)} params "
                "(a file of another model?)"
            )
        for i, (p, saved) in enumerate(zip(self.params, loaded)):
            if p.shape != saved.shape:
                raise ValueError(
                    f"{where}: array {i} in {file_name!r} has shape {saved.shape}; expected {p.shape} "
                    "(a model built with other sizes?)"
                )
            if saved.dtype.kind not in "biuf":
                raise ValueError(f"{where}: array {i} in {file_name!r} has dtype {saved.dtype}; expected numbers")
        for p, saved in zip(self.params, loaded):
            p[...] = saved.astype("f")
