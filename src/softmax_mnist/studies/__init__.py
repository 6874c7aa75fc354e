"""The report's studies as TOML grids (copy one, edit it, pass it with ``--config``)."""
