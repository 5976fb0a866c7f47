"""Outputs for people: charts and exports built from the analysis frames."""
