"""The book's models, one file per chapter's family (ch01: two_layer_net)."""

from .two_layer_net import TwoLayerNet

__all__ = ["TwoLayerNet"]
