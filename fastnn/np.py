"""fastnn's twin of the book's common/np.py: ``from fastnn.np import *`` gives
``np`` (numpy) and ``GPU`` (False), what the book's module gives with GPU off.

Importing it after a true config.GPU raises fastnn.config.GPUModeError (the
book would switch to CuPy at this point).
"""

import numpy as np

from . import config

config.check_cpu()
GPU = config.GPU

__all__ = ["np", "GPU"]
