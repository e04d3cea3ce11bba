"""The ``admin`` generator: ``descriptor.py``, ``generator.py`` and its ``templates/``."""
