"""The web page at ``GET /``: the blueprint (``page``), its pictures (``render``), its
template and stylesheet. It reads bodies and reports errors as the HTTP API does
(:mod:`podfit.http`)."""
