"""SECI: knowledge management for Chinese telephone customer-service centres."""

__version__ = "0.1.0"
