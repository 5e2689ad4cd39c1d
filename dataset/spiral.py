"""The spiral data set of the book (dataset/spiral.py): three interleaved arms.

load_data(seed) seeds numpy's global random generator and draws in the book's
order, so the arrays are bit-identical to the book's and the draws that follow
(weight initialisation, shuffles) match the book's too.
"""

import numpy as np

N_PER_CLASS = 100
DIM = 2
N_CLASSES = 3


def load_data(seed=1984):
    """Return x (300, 2) float64 points and t (300, 3) int32 one-hot labels.

    The labels are int32, as in the recorded run of the book's ch01/train.py.
    """
    np.random.seed(seed)
    x = np.zeros((N_PER_CLASS * N_CLASSES, DIM))
    t = np.zeros((N_PER_CLASS * N_CLASSES, N_CLASSES), dtype=np.int32)
    for cls in range(N_CLASSES):
        for i in range(N_PER_CLASS):
            rate = i / N_PER_CLASS
            radius = 1.0 * rate
            # One randn draw per point, in the book's order: noise on the angle.
            theta = cls * 4.0 + 4.0 * rate + np.random.randn() * 0.2
            row = N_PER_CLASS * cls + i
            x[row] = radius * np.sin(theta), radius * np.cos(theta)
            t[row, cls] = 1
    return x, t
