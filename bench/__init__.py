"""Benchmarks (`make bench`): figures for the README, never asserted in tests."""
