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


class GraphError(NetLabError):
    """An edit of a network graph cannot be made (unknown node, bad connection, ...)."""


class ParameterError(GraphError, ValueError):
    """A layer parameter has an invalid value.

    Attributes:
        field: The parameter's name.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ShapeError(GraphError):
    """A layer cannot work on the shapes it receives.

    Attributes:
        field: The parameter or ``"input"`` that the problem is about.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class BuildError(GraphError):
    """Keras refused to build a node; the message names the node.

    Attributes:
        node_id: The node that caused it.
    """

    def __init__(self, node_id: str, message: str) -> None:
        super().__init__(message)
        self.node_id = node_id


class ModelImportError(NetLabError):
    """A Keras model cannot be turned into a NetLab graph."""


class GraphFileError(NetLabError):
    """A graph file cannot be read or written; the message names the file."""


class ProjectFileError(NetLabError):
    """A project or model file is malformed, hostile or cannot be written.

    The message is one line that names the file and what is wrong; nothing was
    written when it is raised.
    """


class ExportError(NetLabError):
    """A model cannot be exported in the format asked for."""


class DesktopError(NetLabError):
    """The desktop entry, MIME type or icon cannot be installed or removed."""


class DataError(NetLabError):
    """A data set cannot be loaded or does not fit; the message says which and why."""


class TrainingError(NetLabError):
    """Training cannot start or had to stop (bad device, out of memory, ...)."""


class InspectError(NetLabError, ValueError):
    """A look inside a model cannot be taken; the one-line message says why.

    Attributes:
        node: The name of the node (Keras layer) asked about, or ``None`` when
            the problem is not about one layer.
    """

    def __init__(self, node: str | None, message: str) -> None:
        super().__init__(f"{node}: {message}" if node else message)
        self.node = node


def first_line(err: BaseException, with_type: bool = True) -> str:
    """An exception as one line for the user: NetLab's own message, else its first line.

    Library errors can run to pages (TensorFlow's do); the first line says what
    went wrong, and (``with_type``) the type says where it came from.
    """
    if isinstance(err, NetLabError):
        return str(err)
    text = str(err).strip()
    first = text.splitlines()[0].strip() if text else ""
    if not first:
        return type(err).__name__
    return f"{type(err).__name__}: {first}" if with_type else first
