"""`qmt-abigen verify`: the spec's conformance suite, runnable against any plugin.

It stands apart from the code generator (nothing here imports `generator.targets`):

- `runner`: `verify_plugin()` runs the registered checks and returns a `VerifyReport`;
- `checks/`: one small module per check, registered in `checks/__init__.py` (`REGISTRY`);
- `context`: what a check runs with and records into; `inputs`: what verify sends;
- `report`: `CheckResult`, `VerifyReport` (its JSON form) and the printed table;
- `command`: the `verify` command; `loopback_server`: the OpenAI-compatible test server.

What it needs from the generated bindings goes through `generator.hosttools.bindings`.
"""
