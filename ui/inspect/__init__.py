"""The Inspect panel: evaluation of a trained network and views of what it computes inside.

    from ui.inspect import InspectPanel

    panel = InspectPanel()
    panel.show_model(run.model, run.graph, run.dataset, run.config)
"""

from ui.inspect.panel import InspectPanel

__all__ = ["InspectPanel"]
