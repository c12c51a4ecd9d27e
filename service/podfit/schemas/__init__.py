"""marshmallow schemas shared by the CLI and the HTTP API, one module per domain.

``fields`` (quantity field), ``quantities`` (the quantity answer row of ``podfit
quantity`` and ``POST /v1/quantities``), ``requests`` (pods and requests), ``schedule``
(schedule results), ``plan`` (capacity planning), ``batch`` (the ``/v1/quantities`` body).
The core never imports
this package; the edges (``podfit.cli``, ``podfit.http``, ``podfit.web``) do.
"""
