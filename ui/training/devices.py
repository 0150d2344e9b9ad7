"""The device a run trains on: the CPU until the backend has listed its GPUs."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox


def backend_devices() -> list[tuple[str, str]]:
    """``(id, label)`` of every device the backend sees; imports Keras (seconds: a worker's job)."""
    from netlab.training import list_devices

    return [(d.id, d.label()) for d in list_devices()]


class DeviceChoice(QComboBox):
    """``cpu``, ``gpu:0``, ... and, with GPUs, ``all`` (data parallel: MirroredStrategy on
    TensorFlow, keras.distribution.DataParallel on JAX)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("deviceChoice")
        self.addItem("CPU", "cpu")

    def show_devices(self, devices: list[tuple[str, str]]) -> int:
        """Offers ``devices`` (keeping the choice where it is still there); returns the GPUs."""
        chosen = self.currentData()
        self.clear()
        for device_id, label in devices:
            self.addItem(f"{device_id}: {label}", device_id)
        gpus = sum(device_id.startswith("gpu") for device_id, _ in devices)
        if gpus:
            self.addItem("all GPUs (data parallel)", "all")
        self.setCurrentIndex(max(0, self.findData(chosen)))
        return gpus
