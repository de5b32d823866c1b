"""Offramp: case evaluation, office policy and diversion for a public-health approach to drug cases."""

__version__ = "0.1.0"
