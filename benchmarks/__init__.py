"""Benchmarks for the course helpers: `make bench` runs every benchmarks/bench_*.py."""
