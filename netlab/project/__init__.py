"""NetLab projects: what a user made, saved and loaded as one ``.netlab`` file."""

from netlab.project.config import TRAINING_PARAMS, check_training_config, default_training_config
from netlab.project.file import (
    FORMAT_VERSION,
    Snapshot,
    load_project,
    save_project,
    snapshot,
    write_snapshot,
)
from netlab.project.project import (
    Project,
    RunRecord,
    Weights,
    attach_weights,
    build_with_weights,
    weights_of,
)

__all__ = [
    "FORMAT_VERSION",
    "TRAINING_PARAMS",
    "Project",
    "RunRecord",
    "Snapshot",
    "Weights",
    "attach_weights",
    "build_with_weights",
    "check_training_config",
    "default_training_config",
    "load_project",
    "save_project",
    "snapshot",
    "weights_of",
    "write_snapshot",
]
