"""The local NLU model (intents + entities), offline: no gRPC, no terminal here.

Public API (shared with the server): :mod:`hfx.nlu.embedder` (``DIMENSIONS``, ``MAX_TOKEN_COUNT``, ``embed``),
:mod:`hfx.nlu.errors`, and :mod:`hfx.nlu.model` (``TrainSettings``, ``NluModel``, ``Prediction``, ...).
"""

from hfx.nlu.errors import ModelFileError, NluError, TrainingCancelled, TrainingError

__all__ = ["ModelFileError", "NluError", "TrainingCancelled", "TrainingError"]
