"""The course's architectures as ready-made graphs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netlab import catalog
from netlab.catalog.recipes import INPUT
from netlab.errors import GraphError
from netlab.graph.layout import auto_layout
from netlab.graph.model import Edge, Graph, Node


class _Chain:
    """Adds nodes to a graph one after another, each fed by the last."""

    def __init__(self) -> None:
        self.graph = Graph()
        self.last: str | None = None

    def add(self, key: str, name: str | None = None, inputs: list[str] | None = None,
            **params: Any) -> str:  # fmt: skip
        spec = catalog.get(key)
        node_id = self.graph.new_id()
        name = self.graph.unique_name(name or key.lower())
        self.graph.insert_node(Node(node_id, name, key, {**spec.defaults(), **params}))
        sources = inputs if inputs is not None else ([self.last] if self.last else [])
        for port, src in enumerate(sources):
            self.graph.insert_edge(Edge(src, node_id, port))
        self.last = node_id
        return node_id

    def done(self) -> Graph:
        auto_layout(self.graph)
        return self.graph


def empty() -> Graph:
    """An Input for the 8x8 digits connected to an Output: a network to build by hand."""
    c = _Chain()
    c.add("Input", "input", shape=(8, 8, 1))
    c.add("Output", "output")
    return c.done()


def mlp(classes: int = 10) -> Graph:
    """Fully connected network for the 8x8 digits: 64 -> 64 -> 32 -> 10."""
    c = _Chain()
    c.add("Input", "digits", shape=(8, 8, 1))
    c.add("Flatten")
    c.add("Dense", "hidden1", units=64, activation="relu")
    c.add("Dense", "hidden2", units=32, activation="relu")
    c.add("Dense", "classifier", units=classes, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def cnn(classes: int = 10) -> Graph:
    """Small CNN for the 8x8 digits (the app's default example)."""
    c = _Chain()
    c.add("Input", "digits", shape=(8, 8, 1))
    c.add("Conv2D", "conv1", filters=16, kernel_size=3, padding=1, activation="relu")
    c.add("MaxPool2D", "pool1", pool_size=2)
    c.add("Conv2D", "conv2", filters=32, kernel_size=3, padding=1, activation="relu")
    c.add("MaxPool2D", "pool2", pool_size=2)
    c.add("Flatten")
    c.add("Dense", "hidden", units=64, activation="relu")
    c.add("Dropout", rate=0.25)
    c.add("Dense", "classifier", units=classes, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def playground(classes: int = 2) -> Graph:
    """TensorFlow Playground's network: 2 inputs, two hidden layers of 8 tanh units."""
    c = _Chain()
    c.add("Input", "point", shape=(2,))
    c.add("Dense", "hidden1", units=8, activation="tanh")
    c.add("Dense", "hidden2", units=8, activation="tanh")
    c.add("Dense", "classifier", units=classes, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def deep_stack(residual: bool, depth: int = 16, width: int = 32) -> Graph:
    """``depth`` sigmoid layers on the digits, plain or each with an identity shortcut.

    The course's picture of vanishing gradients: in the plain stack the gradient
    shrinks by up to 4x per sigmoid layer on its way back; the residual twin
    (``x + dense(x)``) carries it past every layer unchanged.
    """
    c = _Chain()
    c.add("Input", "digits", shape=(8, 8, 1))
    c.add("Flatten")
    c.add("Dense", "stem", units=width, activation="relu")
    for i in range(1, depth + 1):
        before = c.last
        dense = c.add("Dense", f"dense{i}", units=width, activation="sigmoid")
        if residual:
            assert before is not None
            c.add("Add", f"add{i}", inputs=[before, dense])
    c.add("Dense", "classifier", units=10, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


STAGES = ((64, 3), (128, 4), (256, 6), (512, 3))


def _expanded_block(c: _Chain, name: str, filters: int, strides: int, channels: int) -> None:
    assert c.last is not None  # the stem comes first
    ids: dict[str, str] = {INPUT: c.last}
    params = {"filters": filters, "strides": strides, "zero_init": True}
    recipe = catalog.get("ResidualBlock").recipe
    assert recipe is not None  # a composite entry always has one
    for step in recipe(params, (None, None, channels)).steps:
        inputs = [ids[i] for i in step.inputs]
        ids[step.suffix] = c.add(step.key, f"{name}_{step.suffix}", inputs=inputs, **step.params)


def resnet34(expanded: bool = False, small: bool = False) -> Graph:
    """ResNet-34 as in He et al. (2015), Table 1; 21,797,672 trainable parameters.

    Args:
        expanded: Individual conv / batch-norm / ReLU / Add nodes instead of
            ResidualBlock nodes.
        small: 32x32x3 input and 10 classes for CPU training: a 3x3 stride-1
            stem without max pooling.
    """
    c = _Chain()
    c.add("Input", "image", shape=(32, 32, 3) if small else (224, 224, 3))
    if small:
        c.add("Conv2D", "stem_conv", filters=64, kernel_size=3, padding=1, use_bias=False)
    else:
        c.add("Conv2D", "stem_conv", filters=64, kernel_size=7, strides=2, padding=3,
              use_bias=False)  # fmt: skip
    c.add("BatchNorm", "stem_bn", momentum=0.9, epsilon=1e-5)
    c.add("Activation", "stem_relu", activation="relu")
    if not small:
        c.add("MaxPool2D", "stem_pool", pool_size=3, strides=2, padding="same")
    channels = 64
    for stage, (filters, blocks) in enumerate(STAGES, start=2):
        for block in range(blocks):
            strides = 2 if block == 0 and stage > 2 else 1
            name = f"stage{stage}_block{block + 1}"
            if expanded:
                _expanded_block(c, name, filters, strides, channels)
            else:
                c.add("ResidualBlock", name, filters=filters, strides=strides)
            channels = filters
    c.add("GlobalAvgPool2D", "avg_pool")
    c.add("Dense", "fc", units=10 if small else 1000, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def densenet121() -> Graph:
    """DenseNet-121 (Huang et al. 2017) as Keras builds it, layer by layer: 428 nodes.

    Each layer of a dense block is batch norm, ReLU, 1x1 convolution (128 filters),
    batch norm, ReLU, 3x3 convolution (32 filters), and a Concatenate of the
    block's running tensor with the 32 new channels; transitions halve the
    channels and the size. 8,062,504 parameters, as ``keras.applications``.
    """
    c = _Chain()
    c.add("Input", "input", shape=(224, 224, 3))
    bn: dict[str, Any] = {"epsilon": 1.001e-5}
    c.add("Conv2D", "conv1_conv", filters=64, kernel_size=7, strides=2, padding=3, use_bias=False)
    c.add("BatchNorm", "conv1_bn", **bn)
    c.add("Activation", "conv1_relu", activation="relu")
    c.add("MaxPool2D", "pool1", pool_size=3, strides=2, padding="same")
    channels = 64
    for stage, layers in enumerate((6, 12, 24, 16), start=2):
        for i in range(1, layers + 1):
            p, running = f"conv{stage}_block{i}", str(c.last)
            c.add("BatchNorm", f"{p}_0_bn", **bn)
            c.add("Activation", f"{p}_0_relu", activation="relu")
            c.add("Conv2D", f"{p}_1_conv", filters=128, kernel_size=1, use_bias=False)
            c.add("BatchNorm", f"{p}_1_bn", **bn)
            c.add("Activation", f"{p}_1_relu", activation="relu")
            new = c.add("Conv2D", f"{p}_2_conv", filters=32, kernel_size=3, padding="same",
                        use_bias=False)  # fmt: skip
            c.add("Concatenate", f"{p}_concat", inputs=[running, new])
            channels += 32
        if stage < 5:
            channels //= 2
            c.add("BatchNorm", f"pool{stage}_bn", **bn)
            c.add("Activation", f"pool{stage}_relu", activation="relu")
            c.add("Conv2D", f"pool{stage}_conv", filters=channels, kernel_size=1, use_bias=False)
            c.add("AvgPool2D", f"pool{stage}_pool", pool_size=2)
    c.add("BatchNorm", "bn", **bn)
    c.add("Activation", "relu", activation="relu")
    c.add("GlobalAvgPool2D", "avg_pool")
    c.add("Dense", "predictions", units=1000, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def transformer(
    vocab: int = 16,
    length: int = 16,
    width: int = 32,
    heads: int = 4,
    blocks: int = 2,
    classes: int = 2,
    positions: str = "sincos",
    max_length: int | None = None,
) -> Graph:
    """Transformer encoder classifier for token sequences.

    Args:
        positions: ``"sincos"`` or ``"learned"`` positional embedding.
        max_length: Rows of a learned position table (default: ``length``).
    """
    if positions not in ("sincos", "learned"):
        raise GraphError(f"positions must be 'sincos' or 'learned', not {positions!r}")
    c = _Chain()
    c.add("Input", "tokens", shape=(length,), dtype="int32")
    c.add("Embedding", "embedding", input_dim=vocab, output_dim=width)
    if positions == "sincos":
        c.add("SinusoidalPositionEmbedding", "positions")
    else:
        c.add("LearnedPositionEmbedding", "positions", max_length=max_length or length)
    for i in range(blocks):
        c.add("TransformerBlock", f"block{i + 1}", num_heads=heads, ff_dim=2 * width)
    c.add("GlobalAvgPool1D", "pool")
    c.add("Dense", "classifier", units=classes, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


def vit(
    image: int = 224,
    channels: int = 3,
    patch: int = 16,
    width: int = 768,
    blocks: int = 12,
    heads: int = 12,
    mlp_dim: int = 3072,
    classes: int = 1000,
) -> Graph:
    """Vision Transformer (Dosovitskiy et al. 2020): pre-norm blocks with GELU."""
    c = _Chain()
    c.add("Input", "image", shape=(image, image, channels))
    c.add("PatchEmbedding", "patches", patch_size=patch, dim=width)
    c.add("ClassToken", "class_token")
    c.add("LearnedPositionEmbedding", "positions", max_length=(image // patch) ** 2 + 1)
    for i in range(blocks):
        c.add("TransformerBlock", f"block{i + 1}", num_heads=heads, ff_dim=mlp_dim,
              norm_first=True, activation="gelu")  # fmt: skip
    c.add("LayerNorm", "final_norm")
    c.add("SelectToken", "class_output", index=0)
    c.add("Dense", "head", units=classes, activation="softmax")
    c.add("Output", "prediction")
    return c.done()


@dataclass(frozen=True)
class Template:
    """A named template for ``netlab new`` and File > New from template.

    ``training`` holds the settings (over the defaults) that train it well.
    """

    name: str
    summary: str
    make: Callable[[], Graph]
    training: dict[str, Any] = field(default_factory=dict)


DIGITS = {"dataset": "digits", "epochs": 20, "batch_size": 32, "learning_rate": 3e-3,
          "schedule": "cosine"}  # fmt: skip


TEMPLATES = {
    t.name: t
    for t in (
        Template("empty", "an Input and an Output: drop layers on the connection", empty, DIGITS),
        Template("mlp", "MLP for the 8x8 digits: 64-64-32-10, ReLU, softmax", mlp, DIGITS),
        Template("cnn", "small CNN for the 8x8 digits (the default example)", cnn, DIGITS),
        Template("playground", "2-8-8-2 tanh MLP on the spirals (TensorFlow Playground)",
                 playground, {"dataset": "spirals", "epochs": 60, "batch_size": 32,
                              "learning_rate": 0.01}),
        Template("deep-plain", "16 sigmoid layers on the digits: gradients vanish",
                 lambda: deep_stack(False), DIGITS),
        Template("deep-residual", "the same 16 layers, each with a shortcut: they do not",
                 lambda: deep_stack(True), DIGITS),
        Template("resnet34", "ResNet-34, 224x224x3, 1000 classes, ResidualBlock nodes", resnet34),
        Template("resnet34-expanded", "ResNet-34 with every conv / batch norm / ReLU / Add node",
                 lambda: resnet34(expanded=True)),
        Template("resnet34-small", "ResNet-34 for 32x32x3 images and 10 classes (CPU)",
                 lambda: resnet34(small=True), {"dataset": "cifar10", "epochs": 10,
                                                "batch_size": 64, "schedule": "cosine"}),
        Template("densenet121", "DenseNet-121, 224x224x3, 1000 classes: 428 layers", densenet121),
        Template("transformer", "Transformer encoder classifier for token sequences", transformer,
                 {"dataset": "tokens-sorted", "epochs": 10, "batch_size": 64}),
        Template("vit-b16", "ViT-B/16: 224x224, 12 blocks, width 768, 12 heads, 1000 classes", vit),
        Template("vit-tiny", "tiny ViT for 8x8 digits (CPU): patch 2, 2 blocks, width 32",
                 lambda: vit(8, 1, 2, 32, 2, 4, 64, 10), {**DIGITS, "epochs": 30}),
    )
}  # fmt: skip


def new_project(name: str) -> Any:
    """A new project holding the template's graph and its recommended training settings."""
    from netlab.project import Project, default_training_config

    graph = from_template(name)
    return Project(graph, training={**default_training_config(), **TEMPLATES[name].training})


def from_template(name: str) -> Graph:
    """A new graph of the template called ``name``.

    Raises:
        GraphError: If there is no such template.
    """
    if name not in TEMPLATES:
        raise GraphError(f"no template named {name!r}; choose one of {', '.join(TEMPLATES)}")
    return TEMPLATES[name].make()
