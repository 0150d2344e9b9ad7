"""The course's claims as labs: data only (networks by builder and arguments, settings,
claims); :mod:`netlab.labs.runner` runs them. docs/labs.md tells what each showed here."""

from __future__ import annotations

from netlab.labs.spec import Arm, Claim, Lab

_SGD = {"dataset": "digits", "optimizer": "sgd", "momentum": 0.9, "learning_rate": 0.05,
        "batch_size": 64, "seed": 0, "histograms": False}  # fmt: skip
_TOKENS = {"dataset": "tokens-sorted", "optimizer": "adam", "learning_rate": 1e-3,
           "batch_size": 64, "seed": 0, "layer_stats": False, "histograms": False}  # fmt: skip
_QUIET = {"layer_stats": False, "histograms": False}

DEPTH = Lab(
    "depth", "Depth: plain against residual (the degradation problem)",
    "Does a deeper network train better? He et al. (2015) found that a plain 56-layer "
    "network trains to a higher training loss than a 20-layer one, and that identity "
    "shortcuts remove the problem.",
    "The training loss of the 44-layer plain network against the 8-layer one (deeper is "
    "worse) and against the 44-layer residual one. The gradient column: the first layer's "
    "gradient norm over the last one's.",
    "Not overfitting: the training loss itself is higher. The shortcuts let every block "
    "start near the identity, so depth no longer makes the network harder to optimise.",
    (Arm("plain 8", "conv_stack", {"depth": 8}),
     Arm("residual 8", "conv_stack", {"depth": 8, "residual": True}),
     Arm("plain 44", "conv_stack", {"depth": 44}),
     Arm("residual 44", "conv_stack", {"depth": 44, "residual": True})),
    {**_SGD, "epochs": 6}, {"epochs": 3},
    (Claim("At depth 44 the residual network trains to a lower loss than the plain one",
           "loss", "residual 44", "plain 44"),
     Claim("Without shortcuts, 44 layers train to a higher loss than 8", "loss", "plain 8",
           "plain 44")),
    quick_arms=("plain 44", "residual 44"), measures=("gradient_ratio",),
)  # fmt: skip

ZERO_INIT = Lab(
    "zero-init", "Zero-initialised residual branches start as the identity",
    "If the last batch norm of every residual branch starts with gamma = 0, each block "
    "computes relu(x + 0) = x: what does the network do at the start, and does it train?",
    "The identity error at initialisation, ||f(x) - x|| / ||x|| over the whole stack of "
    "blocks: 0 means the 15 blocks pass their input through unchanged. Then the loss "
    "after the first epoch and at the end.",
    "With zero-init the deep network starts as a shallow one (the stem and the "
    "classifier) and grows into its depth; with ordinary init every block changes its "
    "input from the first step (here by 300 times its size). Zero-init makes the start "
    "safe, not necessarily fast: on the digits its first epoch was a little better, but "
    "after four epochs ordinary init was well ahead. Goyal et al. (2017) use it for large "
    "batches and learning rates, where a stable start matters most.",
    (Arm("zero-init", "conv_stack", {"depth": 32, "residual": True, "zero_init": True}),
     Arm("standard init", "conv_stack", {"depth": 32, "residual": True, "zero_init": False})),
    {**_SGD, **_QUIET, "epochs": 4}, {"epochs": 1},
    (Claim("Zero-initialised blocks start as the identity (error 0)", "identity_error",
           "zero-init", "standard init"),),
    measures=("identity_error", "epoch1_loss"),
)  # fmt: skip

PADDING_STRIDE = Lab(
    "padding-stride", "Padding and stride: the output-size formula",
    "What size does a convolution return? H_out = floor((H + 2p - K) / s) + 1: the "
    "lecture's 8x8 image with a 3x3 kernel gives 6x6 without padding, 8x8 with padding 1, "
    "4x4 with padding 1 and stride 2.",
    "The table: every K, p, s from the sweep, the formula against NetLab's shape inference "
    "and the size the built Keras layer returns; 'rounds' marks where the floor cuts. Then "
    "the same CNN with stride 1 and stride 2 in its first convolution: FLOPs and accuracy.",
    "Stride 2 quarters the feature map and the work of every layer after it; on 8x8 digits "
    "it costs little accuracy.",
    (Arm("stride 1", "strided_cnn", {"strides": 1, "padding": 1}),
     Arm("stride 2", "strided_cnn", {"strides": 2, "padding": 1})),
    {"dataset": "digits", "optimizer": "adam", "learning_rate": 3e-3, "batch_size": 32,
     "epochs": 10, "seed": 0, **_QUIET}, {"epochs": 2},
    (Claim("Stride 2 needs fewer FLOPs than stride 1", "flops", "stride 2", "stride 1"),),
    table="conv_sizes",
)  # fmt: skip

POSITIONS = Lab(
    "positions", "Positional encodings: sin/cos against learned, on longer sequences",
    "Trained on sequences of 16 tokens, which positional encoding still works on 24? "
    "Sin/cos encodings are defined for every position; a learned table has rows only up to "
    "its max length, and rows past the training length are never trained.",
    "Accuracy at length 24 (both were trained at 16). In the Inspect tab, the positions' "
    "similarity maps of the two projects: sin/cos gives smooth bands, learned ones noise "
    "past position 16.",
    "Both learn the task at length 16; only the encoding defined for every position "
    "carries over to longer sequences.",
    (Arm("sin/cos", "sequence_classifier", {"positions": "sincos"}),
     Arm("learned", "sequence_classifier", {"positions": "learned", "max_length": 64})),
    {**_TOKENS, "epochs": 10}, {"epochs": 3},
    (Claim("Sin/cos encodings do better than learned ones on longer sequences",
           "long_accuracy", "sin/cos", "learned", higher=True),),
    measures=("long_accuracy",),
)  # fmt: skip

NORMS = Lab(
    "norms", "Layer norm against batch norm, with batches of 2, 8 and 64",
    "Batch norm normalises each feature over the batch; layer norm over the features of "
    "each example. What happens to batch norm when the batch is small?",
    "The training loss of each pair at the same batch size: with 2 examples the batch "
    "statistics are noise. Then validation accuracy: at inference batch norm uses moving "
    "averages, which lag behind after few steps.",
    "Layer norm behaves the same at every batch size; batch norm needs batches large "
    "enough for their statistics to mean something. Here batch norm's training loss at "
    "batch 2 was six times layer norm's; and at batch 64, after only 48 steps, its moving "
    "averages had not caught up, so at inference it guessed (validation accuracy 0.5).",
    (Arm("layer norm, batch 2", "normed_sequence", {"norm": "LayerNorm"}, {"batch_size": 2}),
     Arm("batch norm, batch 2", "normed_sequence", {"norm": "BatchNorm"}, {"batch_size": 2}),
     Arm("layer norm, batch 8", "normed_sequence", {"norm": "LayerNorm"}, {"batch_size": 8}),
     Arm("batch norm, batch 8", "normed_sequence", {"norm": "BatchNorm"}, {"batch_size": 8}),
     Arm("layer norm, batch 64", "normed_sequence", {"norm": "LayerNorm"},
         {"batch_size": 64}),
     Arm("batch norm, batch 64", "normed_sequence", {"norm": "BatchNorm"},
         {"batch_size": 64})),
    {**_TOKENS, "epochs": 3, "validation_split": 0.75}, {"epochs": 1},
    (Claim("With batches of 2, batch norm trains to a higher loss than layer norm", "loss",
           "layer norm, batch 2", "batch norm, batch 2"),),
    quick_arms=("layer norm, batch 2", "batch norm, batch 2"),
)  # fmt: skip

ATTENTION_SCALE = Lab(
    "attention-scale", "Attention with and without the 1/sqrt(d_k) scaling",
    "Why does attention divide q . k by sqrt(d_k)? With d_k = 64 and unit-variance "
    "queries and keys, q . k has a standard deviation of 8: the softmax saturates.",
    "The entropy of the attention rows at initialisation (ln 16 = 2.77 nats is uniform, 0 "
    "is all weight on one key), then the loss after the first epoch and at the end.",
    "Unscaled logits make the softmax nearly one-hot from the start (a third of the "
    "uniform entropy here), where its gradients are small. On this small task both still "
    "learn; the scaled one ended at a lower loss. The wider the heads, the larger the gap.",
    (Arm("scaled", "attention_classifier", {"scaled": True}),
     Arm("unscaled", "attention_classifier", {"scaled": False})),
    {**_TOKENS, "epochs": 6}, {"epochs": 1},
    (Claim("Scaled attention starts with a higher softmax entropy", "attention_entropy",
           "scaled", "unscaled", higher=True),),
    measures=("attention_entropy", "epoch1_loss"),
)  # fmt: skip

VIT_PATCH = Lab(
    "vit-patch", "ViT patch size: 2x2 against 4x4 patches on the digits",
    "A ViT cuts the image into patches, one token each. Smaller patches: more tokens, more "
    "detail, more work (attention grows with the square of the tokens).",
    "Tokens, FLOPs, accuracy and time per epoch of the two.",
    "4x4 patches leave 4 tokens of an 8x8 digit (plus the class token): a quarter of the "
    "work for about one point of accuracy here. The parameters are the same by chance: a "
    "larger patch projection, a shorter position table.",
    (Arm("patch 2", "digits_vit", {"patch": 2}), Arm("patch 4", "digits_vit", {"patch": 4})),
    {"dataset": "digits", "optimizer": "adam", "learning_rate": 3e-3, "batch_size": 32,
     "epochs": 20, "schedule": "cosine", "seed": 0, **_QUIET}, {"epochs": 2},
    (Claim("4x4 patches need fewer FLOPs than 2x2", "flops", "patch 4", "patch 2"),),
    measures=("tokens",),
)  # fmt: skip

LABS = {lab.name: lab for lab in (DEPTH, ZERO_INIT, PADDING_STRIDE, POSITIONS, NORMS,
                                  ATTENTION_SCALE, VIT_PATCH)}  # fmt: skip
