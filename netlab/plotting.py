"""Loss and metric curves as a PNG, without Qt (for the command line)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from netlab.fileutil import atomic_write

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def _panel(draw: Any, box: tuple[int, int, int, int], title: str,
           curves: dict[str, list[float]], font: Any) -> None:  # fmt: skip
    left, top, right, bottom = box
    draw.rectangle(box, outline="#888888")
    draw.text((left + 6, top - 18), title, fill="black", font=font)
    values = [v for c in curves.values() for v in c if math.isfinite(v)]
    if not values:
        return
    low, high = min(values), max(values)
    high = high if high > low else low + 1.0
    longest = max(len(c) for c in curves.values())
    for i, tick in enumerate((high, (high + low) / 2, low)):
        y = top + i * (bottom - top) / 2
        draw.text((left - 56, y - 6), f"{tick:.3g}", fill="#444444", font=font)
    draw.text((right - 50, bottom + 6), f"epoch {longest}", fill="#444444", font=font)
    for n, (name, curve) in enumerate(curves.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = [
            (left + (right - left) * i / max(1, longest - 1),
             bottom - (bottom - top) * (v - low) / (high - low))
            for i, v in enumerate(curve) if math.isfinite(v)
        ]  # fmt: skip
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        draw.text((left + 110 * n, bottom + 6), f"-- {name}", fill=colour, font=font)


def plot_history(epochs: list[dict[str, float]], path: str | Path) -> None:
    """Writes one panel per metric (training and validation together) to ``path``."""
    from PIL import Image, ImageDraw, ImageFont

    names = [k for k in (epochs[0] if epochs else {}) if k not in ("epoch", "seconds")
             and not k.startswith("val_")]  # fmt: skip
    panels = max(1, len(names))
    width, height = 520 * panels, 360
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for i, name in enumerate(names):
        curves = {name: [e[name] for e in epochs]}
        if f"val_{name}" in epochs[0]:
            curves[f"val_{name}"] = [e[f"val_{name}"] for e in epochs]
        _panel(draw, (520 * i + 70, 40, 520 * i + 500, height - 40), name, curves, font)
    atomic_write(path, lambda tmp: image.save(tmp, format="PNG"))


def plot_comparison(runs: dict[str, list[dict[str, float]]], metrics: tuple[str, ...],
                    path: str | Path) -> None:  # fmt: skip
    """Writes one panel per metric with a curve per run (labelled) to ``path``."""
    from PIL import Image, ImageDraw, ImageFont

    shown = [m for m in metrics if any(e and m in e[0] for e in runs.values())] or ["loss"]
    width, height = 560 * len(shown), 380
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for i, metric in enumerate(shown):
        curves = {label: [e.get(metric, math.nan) for e in epochs]
                  for label, epochs in runs.items()}  # fmt: skip
        _panel(draw, (560 * i + 70, 40, 560 * i + 540, height - 60), metric, curves, font)
    atomic_write(path, lambda tmp: image.save(tmp, format="PNG"))
