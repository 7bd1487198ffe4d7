# fixhub in a container: the web app built in a Node stage, the server on a slim Python
# image, running as an unprivileged user. `docker compose up` (compose.yaml) runs two of
# these on PostgreSQL + Redis behind Caddy; alone it runs the embedded default:
#   docker build -t fixhub . && docker run -p 8000:8000 -e SECRET_KEY=... fixhub
# (with a volume on /app/data to keep the SQLite file).

# --- the web app (webapp/, built to webapp/dist) ----------------------------------------
FROM node:20-bookworm-slim AS webapp
WORKDIR /src/webapp
COPY webapp/package.json webapp/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY schema.graphql /src/schema.graphql
COPY webapp/ ./
RUN npm run build

# --- the server -------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS server
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 fixhub \
    && useradd --system --uid 10001 --gid fixhub --home-dir /app --shell /usr/sbin/nologin fixhub
WORKDIR /app
# Dependencies first, so a source change does not reinstall them.
COPY pyproject.toml README.md ./
COPY application.py server.py settings.py errors.py metrics.py tracing.py ./
COPY schema/ schema/
COPY resolvers/ resolvers/
COPY models/ models/
COPY realtime/ realtime/
COPY matching/ matching/
COPY migrations/ migrations/
COPY web/ web/
COPY demo/ demo/
RUN pip install --no-compile . \
    && mkdir -p /app/data \
    && chown fixhub:fixhub /app/data
COPY --from=webapp /src/webapp/dist /app/webapp/dist
USER fixhub
VOLUME ["/app/data"]
EXPOSE 8000
# Liveness only: /healthz does no I/O, so a slow database does not get the process killed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["python", "server.py", "--host", "0.0.0.0", "--port", "8000"]
