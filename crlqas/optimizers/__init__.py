"""Inner optimizers for the circuit angles: Adam-SPSA (one or three stages), SPSA, COBYLA.

Each takes a batch objective ``f(params_2d) -> ndarray``, a start point and an
RNG, and returns an :class:`OptimizeResult` (best params, best value,
evaluations).
"""

from __future__ import annotations

from crlqas.optimizers.adam_spsa import H2_DEFAULTS, LIH_DEFAULTS, AdamSPSA, AdamSPSA3Stage
from crlqas.optimizers.base import BatchObjective, OptimizeResult, Optimizer
from crlqas.optimizers.cobyla import COBYLA
from crlqas.optimizers.spsa import SPSA

OPTIMIZERS = {
    "adam-spsa": AdamSPSA,
    "adam-spsa-3stage": AdamSPSA3Stage,
    "spsa": SPSA,
    "cobyla": COBYLA,
}


def make_optimizer(name: str, **options) -> Optimizer:
    """Build an optimizer by name ("adam-spsa", "adam-spsa-3stage", "spsa", "cobyla") with keyword options."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(map(repr, OPTIMIZERS))}")
    try:
        return OPTIMIZERS[name](**options)
    except TypeError as err:
        raise TypeError(f"bad options for optimizer {name!r}: {err}") from None


__all__ = ["AdamSPSA", "AdamSPSA3Stage", "SPSA", "COBYLA", "OptimizeResult", "Optimizer", "BatchObjective",
           "make_optimizer", "OPTIMIZERS", "H2_DEFAULTS", "LIH_DEFAULTS"]
