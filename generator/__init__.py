"""qmt-abigen: QueryMT's Extism plugin ABI as a spec, and everything generated from it."""

__version__ = "0.1.0"
