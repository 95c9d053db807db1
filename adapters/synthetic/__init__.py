"""Synthetic data: the demo family and a synthetic local authority (every name fictional).

Product commands (`caseledger demo`, `caseledger synth`) write them through the store; the
benchmarks in `scripts/` and the tests use the same generators.
"""
