"""Integrations with the libraries people train with: one module per library.

Each module imports its library, so import the one you use (``import trialbook`` imports none
of them)::

    from trialbook.integrations.optuna import TrialbookCallback
    from trialbook.integrations.sklearn import log_search, log_estimator
    from trialbook.integrations.xgboost import TrialbookCallback
    from trialbook.integrations.lightgbm import trialbook_callback
    from trialbook.integrations.keras import TrialbookCallback
    from trialbook.integrations.lightning import TrialbookLogger
    from trialbook.integrations.transformers import TrialbookCallback

``docs/integrations.md`` maps each library's concepts onto experiments, trials and metrics.
"""
