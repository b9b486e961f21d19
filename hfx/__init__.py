"""hfx: move NLU training data between HumanFirst and the NLU platforms it deploys on."""

__version__ = "0.1.0"
