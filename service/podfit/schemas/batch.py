"""The body of ``POST /v1/quantities``: a batch of quantity strings and an optional unit.

Kept apart from :mod:`podfit.documents.quantities` (the answer rows), which imports no
marshmallow so that ``podfit quantity`` starts fast.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class QuantitiesRequestSchema(Schema):
    """``{"quantities": ["100m", "1.5Gi"], "to": "Mi"}``; unknown fields are refused."""

    quantities = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    to = fields.String()
