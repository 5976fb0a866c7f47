"""Command-line commands, one module per area, registered in engagement/cli.py."""
