"""``POST /v1/quantities``: parse and optionally convert a batch of quantities.

The rows are :func:`podfit.documents.quantities.quantity_row`, those of ``podfit quantity
-o json``, so both edges print the same JSON for the same input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response

from podfit.documents.quantities import quantity_row
from podfit.errors import ConfigError, LimitExceeded, QuantityError
from podfit.http.body import JSON, check_time, query_options, read_body, service_config
from podfit.http.config import env_name
from podfit.http.problem import Problem
from podfit.http.responses import json_response
from podfit.quantity import Quantity
from podfit.schemas.batch import QuantitiesRequestSchema

bp = Blueprint("quantities", __name__)


@bp.post("/v1/quantities")
def quantities() -> Response:
    """Parse and optionally convert a batch of quantities; one result or error per item."""
    query_options(())
    body = read_body(accept=(JSON,))
    config = service_config()
    data = _object(body.data)
    check_quantities_count(data.get("quantities"), config.max_quantities)
    payload = QuantitiesRequestSchema().load(data)
    check_time("parsing quantities")
    return json_response(
        quantities_result(
            payload["quantities"],
            payload.get("to"),
            max_items=config.max_quantities,
            max_length=config.max_quantity_length,
        )
    )


def check_quantities_count(items: Any, max_items: int) -> None:
    """Refuse more than ``max_items`` batch items before any of them is looked at."""
    if isinstance(items, list) and len(items) > max_items:
        raise LimitExceeded(
            f"{len(items)} quantities exceed the limit of {max_items}"
            f" ({env_name('max_quantities')})",
            path="quantities",
            limit="max_quantities",
        )


def quantities_result(
    items: Sequence[str], to: str | None, *, max_items: int, max_length: int
) -> dict[str, Any]:
    """One row per item, in order (:func:`podfit.documents.quantities.quantity_row`, the
    rows of ``podfit quantity -o json``); an item longer than ``max_length`` is refused
    unparsed in its row.

    Raises ``LimitExceeded`` for more than ``max_items`` items and ``ConfigError`` for an
    unknown ``to`` unit (both before any item is parsed).
    """
    check_quantities_count(items, max_items)
    if to is not None:
        try:
            Quantity.ZERO.convert(to)
        except QuantityError as exc:
            raise ConfigError(str(exc), path="to") from None
    results = [
        _too_long(text, index, max_length)
        if len(text) > max_length
        else quantity_row(text, to, index)
        for index, text in enumerate(items)
    ]
    return {"results": results}


def _too_long(text: str, index: int, max_length: int) -> dict[str, Any]:
    """The row of an item longer than ``max_length`` characters: refused unparsed, naming
    ``PODFIT_MAX_QUANTITY_LENGTH`` (the service's bound; the CLI has none)."""
    message = (
        f"a quantity of {len(text)} characters is longer than the limit of"
        f" {max_length} ({env_name('max_quantity_length')})"
    )
    return {"input": text, "error": {"path": f"quantities[{index}]", "message": message}}


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Problem(
            422,
            "invalid-content",
            "Invalid request body",
            f"the body must be a JSON object, got {type(data).__name__}",
        )
    return data
