"""Benchmarks: a synthetic corpus generator and a benchmark runner (see benchmarks/README.md)."""
