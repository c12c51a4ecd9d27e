"""The ``podfit`` command line: one click group, one module per subcommand.

Exit codes: 0 success, 1 bad input (reported on stderr, naming the field and value),
2 usage error (click), 3 pods left Pending with ``--fail-on-pending`` (``podfit check``:
some scenario fails).

A subcommand's module is imported only when that subcommand runs: ``podfit --help`` and
shell completion list every command from :data:`_COMMANDS` (name, module, short help)
without importing any of them.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
import threading

import click

from podfit import __version__

# subcommand name -> ("module:attribute", the first paragraph of its help); each module
# defines one click command. The help text is the command's own (tests/test_cli_lazy.py)
_COMMANDS: dict[str, tuple[str, str]] = {
    "quantity": (
        "podfit.cli.quantity_cmd:quantity",
        "Parse Kubernetes quantities exactly as Kubernetes does and print their canonical form.",
    ),
    "schedule": (
        "podfit.cli.schedule_cmd:schedule",
        "Place pods on nodes exactly as kube-scheduler's default profile would.",
    ),
    "requests": (
        "podfit.cli.requests_cmd:requests",
        "Effective requests, limits and QoS of every pod the manifests create.",
    ),
    "nodes": (
        "podfit.cli.nodes_cmd:nodes",
        "Nodes and their allocatable resources (presets show the calculation term by term).",
    ),
    "plan": (
        "podfit.cli.plan_cmd:plan",
        "Capacity planning: replicas that fit, nodes needed, what if nodes go away.",
    ),
    "check": (
        "podfit.cli.check_cmd:check_cmd",
        "Check that everything still fits: as-is, HPAs at max, a node or zone lost, headroom.",
    ),
}


def _short_help(name: str, limit: int = 45) -> str:
    """The short help click shows for subcommand ``name`` (at most ``limit`` characters,
    shortened as click shortens a help text), from :data:`_COMMANDS` alone."""
    return click.Command(name, help=_COMMANDS[name][1]).get_short_help_str(limit)


class _LazyGroup(click.Group):
    """Load subcommand modules only when used, so ``podfit quantity`` starts fast; the
    command list (help, completion) comes from :data:`_COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The ``Commands`` section of ``--help`` as click writes it, from the table."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        with formatter.section("Commands"):
            formatter.write_dl([(name, _short_help(name, limit)) for name in names])

    def shell_complete(
        self, ctx: click.Context, incomplete: str
    ) -> list[click.shell_completion.CompletionItem]:
        """Subcommand names (with their short help) starting with ``incomplete``, then the
        group's options, as click completes a group, from the table."""
        from click.shell_completion import CompletionItem

        items = [
            CompletionItem(name, help=_short_help(name))
            for name in self.list_commands(ctx)
            if name.startswith(incomplete)
        ]
        return items + click.Command.shell_complete(self, ctx, incomplete)


_process = False
"""Whether :func:`run` drives this interpreter: the collector stays off to the end."""


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
        if not _process:  # a process (run) ends without collecting what it built
            ctx.call_on_close(gc.enable)


def run() -> None:
    """The ``podfit`` process (console script, ``python -m podfit``): :func:`main`, then
    the exit. Once the output is flushed, a process that registered no exit handler and
    runs no other thread ends at once (``os._exit``): tearing down every object a command
    built (a plan's thousands of nodes) would only delay the prompt. Else, or when a
    stream cannot be flushed, the interpreter exits as usual."""
    global _process
    _process = True
    try:
        main()
    except SystemExit as exc:
        code = exc.code
        if not isinstance(code, int | None) or threading.active_count() > 1:
            raise
        if getattr(atexit, "_ncallbacks", lambda: 1)():
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            raise exc from None
        os._exit(code or 0)
