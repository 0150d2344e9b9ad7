"""Test-wide settings: the Keras backend, quiet TensorFlow, offscreen Qt."""

import os

# Must be set before Keras is imported; `KERAS_BACKEND=jax pytest ...` overrides it.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
