"""Static migrations: migrations/*.py and model IR → project states → operations → files."""
