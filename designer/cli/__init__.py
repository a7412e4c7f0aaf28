"""The `design` command: click commands and renderers. The only layer that prints."""
