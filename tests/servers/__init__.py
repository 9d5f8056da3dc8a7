"""Loopback HTTP servers the tests drive plugins against (127.0.0.1 only)."""
