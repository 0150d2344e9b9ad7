"""Test-wide settings: the Keras backend, quiet TensorFlow, offscreen Qt."""

import os

# Must be set before Keras is imported; `KERAS_BACKEND=jax pytest ...` overrides it.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# A shell ignores Ctrl-C (SIGINT) for what it starts in the background, and the processes the
# tests start inherit that: `netlab train`'s Ctrl-C test then saw no KeyboardInterrupt (seen
# when the whole suite ran as a background job). The tests give their processes Ctrl-C as a
# terminal would: a handled signal is reset to its default in a child, an ignored one is not.
import signal  # noqa: E402

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
