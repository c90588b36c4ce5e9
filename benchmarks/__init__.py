"""Performance benchmarks for SECI (import throughput, page latency under load).

Run everything with ``python -m benchmarks`` (or ``benchmarks/run``); see README.md.
"""
