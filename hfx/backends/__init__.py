"""Server backends: where workspaces and models live (directory, clu)."""
