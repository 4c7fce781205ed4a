"""Private: the warm fork pool the build runs its units in (`pool.py`). Only `batch` uses it;
its API may change without notice. The papermill engine the units run cells with is public:
`disclosure_lib.engine`."""
