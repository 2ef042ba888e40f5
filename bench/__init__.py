"""Benchmarks (`make bench`): figures quoted in the README."""
