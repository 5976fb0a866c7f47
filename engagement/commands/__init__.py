"""Command groups of the `engagement` command, one module per area, each registered in engagement/cli.py."""
