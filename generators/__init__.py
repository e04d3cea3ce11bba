"""djgen's generator core: models.py → IR (reader) → generators → artifacts → merge → files."""
