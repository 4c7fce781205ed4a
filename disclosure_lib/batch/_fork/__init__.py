"""Private: the warm fork pool, the IPython shell its children run cells in, and the papermill
engine that forks them. Only `batch` uses these; their API may change without notice."""

# The papermill engine's name; pyproject.toml registers `engine.DisclosureEngine` under it
# (tests/batch/test_engine.py keeps the two in step).
ENGINE_NAME = "disclosure"
