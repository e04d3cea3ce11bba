"""Static migrations: migrations/*.py + model IR → project states → autodetected operations → migration files."""
