"""The library version (one place; `disclosure_lib.__version__` re-exports it)."""

__version__ = "0.1.0"
