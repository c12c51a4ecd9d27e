"""click parameter types shared by the ``podfit`` subcommands: ``QUANTITY``."""

from __future__ import annotations

import click

from podfit.errors import QuantityError
from podfit.quantity import Quantity, parse_quantity


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
            self.fail(str(exc), param, ctx)


QUANTITY = QuantityParamType()
