"""The bookshop catalog: authors, publishers, books, who wrote what, and reader reviews.

djgen reads this file statically and generates serializers, filtersets, viewsets, admin classes
and migrations from it.
"""

from django.conf import settings
from django.db import models

ROLE_CHOICES = [
    ("author", "Author"),
    ("editor", "Editor"),
    ("translator", "Translator"),
    ("illustrator", "Illustrator"),
]


class Author(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    bio = models.TextField(blank=True)
    birth_date = models.DateField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Publisher(models.Model):
    class Country(models.TextChoices):
        UNITED_KINGDOM = "GB", "United Kingdom"
        UNITED_STATES = "US", "United States"
        FRANCE = "FR", "France"
        GERMANY = "DE", "Germany"
        OTHER = "XX", "Other"

    name = models.CharField(max_length=200, unique=True)
    website = models.URLField(blank=True)
    country = models.CharField(max_length=2, choices=Country.choices, default=Country.OTHER)

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        OUT_OF_PRINT = "out_of_print", "Out of print"

    title = models.CharField(max_length=200)
    isbn = models.CharField("ISBN", max_length=13, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    pages = models.PositiveIntegerField()
    published = models.DateField(null=True, blank=True)
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, related_name="books")
    authors = models.ManyToManyField(Author, through="Authorship", related_name="books")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="books_added",
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Authorship(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES, default="author")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["book", "order"]
        unique_together = [("book", "author", "role")]

    def __str__(self) -> str:
        return f"{self.author} ({self.role}) of {self.book}"


class Review(models.Model):
    class Rating(models.IntegerChoices):
        ONE = 1, "1 star"
        TWO = 2, "2 stars"
        THREE = 3, "3 stars"
        FOUR = 4, "4 stars"
        FIVE = 5, "5 stars"

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    body = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} for {self.book}"
