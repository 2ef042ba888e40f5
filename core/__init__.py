"""Configuration, domain types, errors and the services every front end and job calls.

Nothing in here imports a chat library: services take plain ids and return plain data.
"""
