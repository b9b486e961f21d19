"""Generated protobuf/gRPC stubs of the HumanFirst custom-integration contract (do not edit).

Regenerate with ``python -m hfx.proto._generate``.
"""
