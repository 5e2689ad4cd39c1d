"""fastnn: the layers of Deep Learning from Scratch 2 on Numba kernels."""

# The one place the version is written: pyproject.toml reads it from here
# (setuptools' dynamic version), so editable and normal installs agree.
__version__ = "0.1.0"
