"""The ``podfit`` command line: one click group, one module per subcommand.

Exit codes: 0 success, 1 bad input (reported on stderr, naming the field and value),
2 usage error (click), 3 pods left Pending with ``--fail-on-pending`` (``podfit check``:
some scenario fails).
"""

from __future__ import annotations

import gc
import importlib

import click

from podfit import __version__

# subcommand name -> "module:attribute"; each module defines one click command.
_COMMANDS: dict[str, str] = {
    "quantity": "podfit.cli.quantity_cmd:quantity",
    "schedule": "podfit.cli.schedule_cmd:schedule",
    "requests": "podfit.cli.requests_cmd:requests",
    "nodes": "podfit.cli.nodes_cmd:nodes",
    "plan": "podfit.cli.plan_cmd:plan",
    "check": "podfit.cli.check_cmd:check_cmd",
}


class _LazyGroup(click.Group):
    """Load subcommand modules only when used, so ``podfit quantity`` starts fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        # importing a subcommand's modules allocates many long-lived objects (classes,
        # functions): the cyclic collector is off meanwhile, as it is while a command runs
        enabled = gc.isenabled()
        gc.disable()
        try:
            command = getattr(importlib.import_module(module_name), attr)
        finally:
            if enabled:
                gc.enable()
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podfit")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Will these pods fit on these nodes? Answers exactly as Kubernetes would."""
    # A command is one short run that builds many objects (a pod per replica) and keeps
    # them to the end: the cyclic collector would only traverse them again and again.
    # Reference counting still frees everything acyclic; the collector is back on
    # when the command ends, so an in-process caller (tests) is left as it was.
    if gc.isenabled():
        gc.disable()
        ctx.call_on_close(gc.enable)
