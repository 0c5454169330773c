# The OSBuild controller as a container: embedded MQTT broker over TLS (8883), bootstrap repository
# over HTTP (8080), state in /data (CA, secrets, database, audit log). Build from the repository root: docker build -t osbuild-controller .
FROM node:22-bookworm-slim AS deps
# better-sqlite3 compiles from source when no prebuilt binary matches; git is used at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY agent/package.json agent/
COPY controller/package.json controller/
RUN npm ci --omit=dev --workspace @osbuild/controller --include-workspace-root=false

FROM node:22-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY shared shared
COPY agent/package.json agent/
COPY controller controller
COPY bootstrap bootstrap
ENV OSBUILD_DATA_DIR=/data \
    OSBUILD_INVENTORY=/config/nodes.yaml \
    OSBUILD_BOOTSTRAP_DIR=/app/bootstrap \
    OSBUILD_LISTEN=mqtts://0.0.0.0:8883 \
    OSBUILD_HTTP_LISTEN=http://0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8883 8080
ENTRYPOINT ["/usr/bin/tini", "--", "node", "controller/bin/osbuild.js"]
CMD ["serve"]
