"""The HTTP edge: the Flask app and everything that turns requests into core calls.

``app`` (the factory gunicorn loads, ``podfit.http.app:create_app()``), one module per
blueprint (``ops``: health, readiness, version and the contract; ``quantities``,
``requests``, ``schedule`` and ``plan``: the ``/v1`` resources), ``responses`` (JSON
answers), ``body`` (reading a request body within its bounds), ``envelope`` (the
workload body: envelope, Kubernetes JSON or YAML), ``problem`` (RFC 9457 problem
documents, the one place that picks an error status), ``config`` (the ``PODFIT_*``
settings) and ``worker`` (the gunicorn worker class). The web page is :mod:`podfit.web`.

This package's ``__init__`` imports nothing, so ``podfit.http.config`` stays cheap.
"""
