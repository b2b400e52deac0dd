"""The PostgreSQL backend: URL, connections, schema and migrations, bulk writes, change feed.

Its modules import psycopg, so only a ``postgresql://`` store imports them
(``trialbook.store.create_store``); ``import trialbook`` and SQLite stores never do.
"""
