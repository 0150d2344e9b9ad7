"""Training: the engine, its events, devices. No Qt; Keras is imported when a run starts."""

from netlab.training.devices import Device, device_scope, list_devices
from netlab.training.engine import TrainingRun
from netlab.training.events import BatchEnded, EpochEnded, RunEnded, RunStarted, RunStateChanged

__all__ = [
    "BatchEnded",
    "Device",
    "EpochEnded",
    "RunEnded",
    "RunStarted",
    "RunStateChanged",
    "TrainingRun",
    "device_scope",
    "list_devices",
]
