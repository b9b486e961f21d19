"""The ``hfx`` command line: thin Typer commands over the core."""
