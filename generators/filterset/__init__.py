"""The ``filterset`` generator: ``descriptor.py``, ``generator.py`` and its ``templates/``."""
