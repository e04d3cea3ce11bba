"""The ``viewset`` generator: ``descriptor.py``, ``generator.py`` and its ``templates/``."""
