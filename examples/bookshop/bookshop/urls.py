"""URL configuration for the bookshop example.

The API routes live in ``catalog/urls.py``, which djgen's viewset generator writes. Until that
file exists the project still runs, with the admin only.
"""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
]

if find_spec("catalog.urls") is not None:
    urlpatterns.append(path("api/", include("catalog.urls")))
