"""The ``api-settings`` generator: ``descriptor.py``, ``generator.py`` and its ``templates/``."""
