"""The library version (one place; `disclosure_lib.__version__` re-exports it)."""

__version__ = "0.1.0"

# the `generator` meta of the index pages a build writes: an import of a folder skips them
SITE_GENERATOR = "disclosure_lib index"
