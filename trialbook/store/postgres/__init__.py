"""The PostgreSQL backend: URL, connections, schema and migrations, bulk writes, change feed.

Importing this package imports psycopg; only a ``postgresql://`` store does that.
"""
