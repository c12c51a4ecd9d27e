# podfit HTTP service: gunicorn serving podfit.http.app:create_app() on port 8080.
#   docker build -t podfit:0.1.0 .
#   docker run --rm --read-only -p 8080:8080 podfit:0.1.0
# The image runs as an unprivileged user and writes nothing to its filesystem
# (no bytecode, gunicorn heartbeats in /dev/shm), so --read-only works.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build the wheel --------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
RUN pip install --no-cache-dir --disable-pip-version-check build==1.2.2.post1
COPY pyproject.toml README.md openapi.yaml ./
COPY service ./service
RUN python -m build --wheel --outdir /dist

# ---- runtime ----------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8080
RUN groupadd --system --gid 10001 podfit \
    && useradd --system --uid 10001 --gid podfit --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin podfit
COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/podfit-*.whl && rm -rf /tmp/dist
WORKDIR /app
COPY gunicorn.conf.py ./
# Example manifests offered by the web page at GET / (PODFIT_FIXTURES_DIR).
COPY fixtures ./fixtures
ENV PODFIT_FIXTURES_DIR=/app/fixtures
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8080') + '/healthz', timeout=2)"]
CMD ["gunicorn", "--config", "/app/gunicorn.conf.py"]
