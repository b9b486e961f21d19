"""HumanFirst custom-integration gRPC server: services, TLS, health."""
