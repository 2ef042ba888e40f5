"""The `digestbot` command line: the composition root that wires settings, storage, jobs and
front ends together. It sits above `bot/` and `jobs/`, so neither has to import the other."""
