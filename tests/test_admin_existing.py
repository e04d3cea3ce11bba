"""A user's own admin registrations are respected: djgen adds ModelAdmins only for the rest.

Place in the data path: IR → admin generator → artifacts → merge (aliases) → admin.py in a real
project, which Django then imports (a second registration would raise AlreadyRegistered).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django

USER_ADMIN = """\
from django.contrib import admin

from .models import Book

admin.site.register(Book)
"""


def test_existing_registration_is_kept_and_others_are_added(bookshop):
    bookshop.write("catalog/admin.py", USER_ADMIN)
    result = bookshop.djgen("generate", "admin", str(bookshop.app_dir("catalog")), "--write")
    assert result.returncode == 0, result.stderr
    text = bookshop.read("catalog/admin.py")
    # the user's registration stays; imports merge into the user's import line
    assert "\nadmin.site.register(Book)\n" in text
    assert "from .models import Author, Authorship, Book, Publisher, Review\n" in text
    assert "class BookAdmin" not in text
    assert "class AuthorAdmin" in text and "class ReviewAdmin" in text
    bookshop.check()  # imports admin.py: AlreadyRegistered would fail here
    again = bookshop.djgen("check", str(bookshop.app_dir("catalog")), "--names", "admin")
    assert again.returncode == 0, again.stdout + again.stderr
