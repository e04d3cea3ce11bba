"""Static model reader: models.py source → model IR (``ast`` only, never imports user code)."""
