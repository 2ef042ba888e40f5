"""Configuration and the services every front end and job calls.

Nothing in here imports a chat library: services take plain ids and return plain data, in the
words of `domain`, and keep rows in `storage`.
"""
