"""GPU inference sidecar of openledger-pipeline: attribution scoring over Arrow Flight."""

__version__ = "0.1.0"
