"""The course's building blocks as Keras 3 layers.

Every layer is registered with Keras under the package ``netlab`` (for example
``"netlab>Conv2D"``), so a ``.keras`` file holding them loads in plain Keras once
``netlab`` is imported. All use ``keras.ops`` only and run on every Keras
backend.
"""

from netlab.layers.attention import ScaledDotProductAttention
from netlab.layers.conv2d import Conv2D
from netlab.layers.feed_forward import FeedForward
from netlab.layers.layer_norm import LayerNorm
from netlab.layers.multi_head_attention import MultiHeadAttention
from netlab.layers.patch_embedding import ClassToken, PatchEmbedding
from netlab.layers.position_embedding import (
    LearnedPositionEmbedding,
    SinusoidalPositionEmbedding,
    sinusoidal_table,
)
from netlab.layers.residual_block import ResidualBlock
from netlab.layers.select_token import SelectToken
from netlab.layers.subnetwork import Subnetwork
from netlab.layers.transformer_block import TransformerBlock
from netlab.shapes import conv_output_length

__all__ = [
    "ClassToken",
    "Conv2D",
    "FeedForward",
    "LayerNorm",
    "LearnedPositionEmbedding",
    "MultiHeadAttention",
    "PatchEmbedding",
    "ResidualBlock",
    "ScaledDotProductAttention",
    "SelectToken",
    "SinusoidalPositionEmbedding",
    "Subnetwork",
    "TransformerBlock",
    "conv_output_length",
    "sinusoidal_table",
]
