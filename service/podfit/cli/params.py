"""click parameters shared by the ``podfit`` subcommands: the ``QUANTITY`` type, and
the manifest files option with its reader."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from podfit.cli.output import echo_warnings
from podfit.errors import ManifestError, QuantityError
from podfit.manifests import MANIFEST_SUFFIXES, VALIDATE_MODES, Workload, load
from podfit.manifests.hints import quantity_hint
from podfit.manifests.validation import DEFAULT_VALIDATE
from podfit.quantity import Quantity, parse_quantity

P = ParamSpec("P")
R = TypeVar("R")


class QuantityParamType(click.ParamType):  # type: ignore[type-arg]
    """A Kubernetes quantity argument or option (``--cpu 250m``), parsed exactly.

    A bad value is a usage error (exit code 2) whose message is the one
    ``parse_quantity`` raises, the same text the HTTP API returns.
    """

    name = "quantity"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Quantity:
        if isinstance(value, Quantity):
            return value
        try:
            return parse_quantity(value if isinstance(value, str) else str(value))
        except QuantityError as exc:
            self.fail(str(exc) + quantity_hint(value), param, ctx)


QUANTITY = QuantityParamType()


def files_option(
    help_text: str, *flags: str, dest: str = "files", required: bool = True
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The repeatable ``-f/--filename`` option (or ``flags``) naming manifest files,
    directories or ``-`` (stdin), required unless ``required`` is false; read them with
    :func:`load_files`."""
    return click.option(
        *(flags or ("-f", "--filename")),
        dest,
        multiple=True,
        required=required,
        type=click.Path(allow_dash=True),
        help=help_text,
    )


VALIDATE_KEY = "podfit.validate"


def validate_option() -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--validate strict|warn|ignore`` (default strict), as kubectl's: unknown kinds of
    built-in groups and unknown fields are errors, warnings, or not checked. The choice is
    kept in the click context for :func:`load_files`."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str) -> str:
        ctx.meta[VALIDATE_KEY] = value
        return value

    return click.option(
        "--validate",
        type=click.Choice(VALIDATE_MODES),
        default=DEFAULT_VALIDATE,
        show_default=True,
        expose_value=False,
        callback=remember,
        help="Unknown kinds and fields: errors (strict), warnings (warn) or not checked.",
    )


def validate_mode() -> str:
    """The ``--validate`` choice of the running command (``strict`` outside a command or
    when the command has no such option)."""
    ctx = click.get_current_context(silent=True)
    return str(ctx.meta.get(VALIDATE_KEY, DEFAULT_VALIDATE)) if ctx else DEFAULT_VALIDATE


def load_files(files: Sequence[str], *, warn: bool = True) -> Workload:
    """Read manifest files, directories (their ``*.yaml``/``*.yml``/``*.json``) and ``-``.

    Each name is a path, never manifest text, even when it starts with ``{`` or ``[``.
    A directory without any such file is an error, as ``kubectl apply -f DIR`` has it
    ("no objects passed"), not an empty input; so are inputs that hold no object at all
    (empty files, only comments: the API answers 422 "the body holds no document"). With
    ``warn``, the loader's warnings (things it assumed) go to stderr. The command's
    ``--validate`` (:func:`validate_option`) sets the loader's validation mode.
    """
    for name in files:
        path = Path(name)
        if (
            name != "-"
            and path.is_dir()
            and not any(p.suffix in MANIFEST_SUFFIXES and p.is_file() for p in path.iterdir())
        ):
            suffixes = ", ".join(f"*{s}" for s in MANIFEST_SUFFIXES)
            raise ManifestError(f"the directory holds no manifest file ({suffixes})", name)
    validate = validate_mode()
    workload = load(*(name if name == "-" else Path(name) for name in files), validate=validate)
    if not workload.objects:
        where = ", ".join("<stdin>" if name == "-" else name for name in files)
        raise ManifestError(
            "the input holds no object (it is empty or only comments)", where or "-f"
        )
    if warn:
        echo_warnings(workload.warnings)
    return workload
