"""Looking inside a trained network: evaluation, feature maps, attention, positions,
augmentation.

All computation for the GUI's evaluation views, in plain Python, Keras and
NumPy. Every function takes the ``keras.Model`` of a ``TrainingRun`` (layer
names are the graph's node names) and examples prepared as for training
(``netlab.training.setup.prepare_arrays``). Failures raise
:class:`InspectError` (a ``NetLabError``) with one line naming the node.
Keras is imported only when a function runs.
"""

from netlab.errors import InspectError
from netlab.inspect.attention import (
    attention_maps,
    class_token_attention,
    patch_grid,
    patch_grid_shape,
)
from netlab.inspect.augment import augmented_examples, preview_mosaic
from netlab.inspect.evaluation import (
    ClassifierEvaluation,
    PredictionRow,
    class_indices,
    confusion_matrix,
    evaluate_classifier,
)
from netlab.inspect.features import FeatureMaps, feature_maps
from netlab.inspect.images import channel_grid, to_image
from netlab.inspect.positions import cosine_similarity, position_similarity, position_table

__all__ = [
    "ClassifierEvaluation",
    "FeatureMaps",
    "InspectError",
    "PredictionRow",
    "attention_maps",
    "augmented_examples",
    "channel_grid",
    "class_indices",
    "class_token_attention",
    "confusion_matrix",
    "cosine_similarity",
    "evaluate_classifier",
    "feature_maps",
    "patch_grid",
    "patch_grid_shape",
    "position_similarity",
    "position_table",
    "preview_mosaic",
    "to_image",
]
