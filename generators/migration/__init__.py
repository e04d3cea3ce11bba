"""The ``migration`` generator: ``descriptor.py``, ``generator.py`` and its ``templates/``."""
