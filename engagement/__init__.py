"""The engagement domain: storage, intake, places, analysis and exports for "What matters to you"."""
