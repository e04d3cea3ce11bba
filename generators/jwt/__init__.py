"""The ``jwt`` generator: JWT authentication (djangorestframework-simplejwt) and permissions."""
