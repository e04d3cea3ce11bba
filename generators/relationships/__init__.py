"""The ``relationships`` generator: the relation plan the serializer and viewset generators read."""
