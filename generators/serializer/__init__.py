"""The ``serializer`` generator: ``descriptor.py``, ``generator.py`` and its ``templates/``."""
