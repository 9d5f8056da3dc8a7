"""The one Jinja2 environment every template-based target renders with."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from generator.resources import TEMPLATES_DIR


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    from generator import ir, naming

    env.filters.update(naming.FILTERS)
    # The IR's enums, so templates test `x is sameas Tagging.INTERNAL` rather than strings.
    env.globals.update(Tagging=ir.Tagging, Input=ir.calls.InputShape, Output=ir.calls.OutputShape)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
