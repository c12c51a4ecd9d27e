"""The answer documents every edge prints: built from the core's values as plain data
(``dict``/``list``/``str``/``int``/``bool``), the same JSON for the CLI, the HTTP API and
the web page.

``quantities`` (the quantity answer row of ``podfit quantity`` and ``POST
/v1/quantities``), ``requests`` (``podfit requests`` / ``podfit nodes`` and their API
answers). The schedule document is ``ScheduleResult.to_dict()``
(:mod:`podfit.scheduler.result`). Imports no marshmallow, Flask or click: the marshmallow
schemas that describe these documents live in :mod:`podfit.schemas`.
"""
