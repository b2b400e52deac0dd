"""``python -m trialbook``: the same command as the ``trialbook`` console script."""

from trialbook.cli import main

main()
