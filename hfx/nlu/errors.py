"""Errors of the local model. Messages are safe to show to a client (no paths of the server's files)."""

from __future__ import annotations

from hfx.errors import HfxError


class NluError(HfxError):
    """Base class of the local model's errors."""


class TrainingError(NluError):
    """The workspace or the settings cannot be trained on; the message says why."""


class TrainingCancelled(NluError):
    """``should_stop()`` returned True during training; nothing was left behind."""


class ModelFileError(NluError):
    """A model folder is missing, truncated, of another format version, or tampered with."""
