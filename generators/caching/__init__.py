"""The ``caching`` generator: API responses cached in Redis, invalidated by signals."""
