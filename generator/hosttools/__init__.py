"""Host-side tools that drive a plugin through a spec's generated Python bindings.

They stand apart from the code generator: nothing here imports `generator.targets`. What they
know about an export (its call shape, its schemas) comes from the IR (`generator.ir.calls`,
`generator.ir.schema`); what they need from the generated bindings goes through one seam,
`generator.hosttools.bindings`. `commands` holds `inspect` and `call`; `generator.conformance`
(`verify`) builds on the same seam.
"""
