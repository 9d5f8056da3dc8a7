"""The intermediate representation of one ABI spec, and the ABI facts derived from it once.

- `model`: the typed, frozen model the loader builds (re-exported here: `ir.Spec`, `ir.Field`).
- `wire`: how each enum variant looks on the wire, and which enums are plain strings.
- `calls`: each export's call shape (what the host sends, what comes back) as enums.
- `exchange`: each export's part in the spec's host-driven HTTP exchanges (builds the request,
  parses or classifies the response, drives a stream parser), read from its `protocols`.

Targets, templates and the host-side tools read these facts; none re-derives them.
"""

from generator.ir import calls, wire
from generator.ir.model import *  # noqa: F403
from generator.ir.model import __all__ as _model_names

__all__ = [*_model_names, "calls", "wire"]
