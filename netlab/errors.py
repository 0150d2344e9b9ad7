"""The one error hierarchy of NetLab.

Every error that NetLab raises on purpose derives from :class:`NetLabError`, so
the GUI and the command line can catch it at their boundary and show its
one-line message. Layer argument checks raise :class:`ValueError` as Keras's own
layers do; :class:`LayerArgumentError` is a ``ValueError`` too.
"""

from __future__ import annotations


class NetLabError(Exception):
    """Base class of every error NetLab raises on purpose."""


class LayerArgumentError(NetLabError, ValueError):
    """A layer was given an argument it cannot work with.

    The message names the argument and the value received, for example
    ``"`filters` must be a positive integer. Received: filters=0"``.
    """
