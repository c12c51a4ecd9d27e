"""marshmallow Schema and Field classes shared by the CLI and the HTTP API, one module
per domain; nothing else (``tests/test_schemas_only.py`` keeps it so).

``fields`` (the quantity and strict boolean fields), ``config`` (the one scheduler
configuration), ``schedule`` (schedule options and results), ``requests`` (the requests
and nodes documents), ``plan`` (capacity planning), ``batch`` (the ``/v1/quantities``
body). Loading input through them is :mod:`podfit.options`; the documents they describe
are built by :mod:`podfit.documents`. The core never imports this package; the edges
(``podfit.cli``, ``podfit.http``, ``podfit.web``) and :mod:`podfit.options` do.
"""
