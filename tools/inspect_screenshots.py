"""Trains two small networks and saves screenshots of the Inspect panel.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/inspect_screenshots.py

Saves docs/images/inspect-{confusion,feature-maps,attention,positions}.png: the
default CNN trained on the 8x8 digits, and the Transformer template trained on
the sorted-token sequences. Prints what each view computed, so a run shows that
the views worked, not only how they look.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images"
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from PySide6.QtWidgets import QApplication  # noqa: E402

from netlab.data import load_dataset  # noqa: E402
from netlab.project import default_training_config  # noqa: E402
from netlab.templates import TEMPLATES, from_template  # noqa: E402
from netlab.training import TrainingRun  # noqa: E402
from ui.inspect import InspectPanel  # noqa: E402


def train(template: str, epochs: int) -> TrainingRun:
    """Trains a template on its recommended data set for ``epochs`` epochs."""
    config = {**default_training_config(), **TEMPLATES[template].training, "epochs": epochs}
    dataset = load_dataset(config["dataset"])
    run = TrainingRun(from_template(template), dataset, config)
    record = run.run()
    print(f"{template}: {record.status} {record.reason}", flush=True)
    return run


def settle(app: QApplication, panel: InspectPanel, timeout: float = 120.0) -> None:
    """Processes events until the panel has computed everything, then paints."""
    end = time.monotonic() + timeout
    while panel.busy and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def shot(app: QApplication, panel: InspectPanel, view: str, name: str) -> None:
    """Shows the sub-tab ``view``, waits for it and saves the panel as ``name``."""
    panel.show_view(view)
    settle(app, panel)
    panel.grab().save(str(OUT / name))
    print(f"saved docs/images/{name}: {panel.message(view) or 'ok'}", flush=True)


def main() -> None:
    """Trains, shows each view and saves the screenshots."""
    app = QApplication.instance() or QApplication(sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    panel = InspectPanel()
    panel.resize(1200, 800)
    panel.show()
    cnn = train("cnn", 8)
    panel.show_model(cnn.model, cnn.graph, cnn.dataset, cnn.config)
    shot(app, panel, "evaluation", "inspect-confusion.png")
    counts = panel.evaluation.evaluation.confusion
    print(f"  confusion {counts.shape}, {counts.sum()} examples, "
          f"accuracy {panel.evaluation.evaluation.accuracy:.3f}")  # fmt: skip
    panel.features.sample_spin.setValue(3)
    panel.show_view("features")
    settle(app, panel)
    for spin, value in (("channel", 5), ("row", 3), ("col", 4)):
        getattr(panel.features, f"{spin}_spin").setValue(value)
    shot(app, panel, "features", "inspect-feature-maps.png")
    print(f"  channel grid {panel.feature_grid_image().size().toTuple()}")
    transformer = train("transformer", 6)
    panel.show_model(transformer.model, transformer.graph, transformer.dataset, transformer.config)
    settle(app, panel)
    shot(app, panel, "attention", "inspect-attention.png")
    print(f"  heads {[image.size().toTuple() for image in panel.attention_images()]}")
    shot(app, panel, "positions", "inspect-positions.png")
    print(f"  similarity {panel.position_image().size().toTuple()}")


if __name__ == "__main__":
    main()
