"""Labs: the lecture's claims as experiments a student runs in a minute or two.

A lab (:class:`Lab`) is data: its question, the projects it trains (:class:`Arm`), what
to look at, and the claims the result must bear out. :class:`LabRun` trains the arms
one after another and reads the result table; ``netlab lab NAME`` and the Labs menu
run it.
"""

from netlab.errors import NetLabError
from netlab.labs.catalogue import LABS
from netlab.labs.runner import (
    ArmResult,
    LabResult,
    LabRun,
    result_lines,
    run_lab,
    write_result,
)
from netlab.labs.spec import Arm, Claim, Lab

__all__ = ["LABS", "Arm", "ArmResult", "Claim", "Lab", "LabResult", "LabRun", "get",
           "result_lines", "run_lab", "write_result"]


def get(name: str) -> Lab:
    """The lab called ``name``.

    Raises:
        NetLabError: If there is none.
    """
    if name not in LABS:
        raise NetLabError(f"no lab named {name!r}; choose one of {', '.join(LABS)}")
    return LABS[name]
