"""newsflow: news articles in, validated and versioned Delta Lake tables out."""

__version__ = "0.1.0"
