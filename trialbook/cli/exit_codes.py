"""What the ``trialbook`` command's exit status means (documented in docs/cli.md)."""

OK = 0
ERROR = 1  # anything else: a store error, an unreadable file, a failed step
USAGE = 2  # bad arguments or options (click's own code for usage errors)
NOT_FOUND = 3  # the named experiment, trial, component or store does not exist
CONFLICT = 4  # sync or import found records that differ; nothing was overwritten
MISSING_DEPENDENCY = 5  # an optional package is needed (pyarrow, mlflow)
STORE_VERSION = 6  # the store needs `trialbook db upgrade`, or is newer than this Trialbook
PROBLEMS_FOUND = 7  # `trialbook doctor` found problems (each printed with its fix)
INTERRUPTED = 130  # Ctrl-C; sync and import can simply be run again
