# moscow-time on the official Node.js slim image (Debian 13), running as the image's non-root `node` user.
#   docker build -t moscow-time:slim .
#   docker run --rm -p 127.0.0.1:5000:5000 --read-only --tmpfs /tmp --cap-drop ALL \
#     --security-opt no-new-privileges moscow-time:slim
# Behind a TLS-intercepting proxy, or without Docker Hub: README.md, "Docker".

# A tag for readers, a digest for the bytes: every build starts from the same base. Where the digest comes
# from: docs/security.md. Bump tag and digest together.
ARG NODE_IMAGE=node:24.21.0-trixie-slim@sha256:8ec5d7557396cfe32d21c3f9c13072355ceab22b584578ca4bb28af31120cffe

# ---- build stages: byte for byte the same in both Dockerfiles (test/unit/policy/docker-policy.test.ts) ----

# hadolint cannot resolve the build argument, so it calls the pinned image untagged (DL3006, hadolint#1078)
# and its registry untrusted (DL3026, hadolint#689); the labels (DL3049) are the shipped runtime stage's.
# hadolint ignore=DL3006,DL3026,DL3049
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS deps
WORKDIR /build
# The lockfile alone decides this layer, so editing src/ reuses it.
COPY package.json package-lock.json ./
# The cache mount keeps npm's download cache out of every layer. The optional `ca` secret adds a CA bundle
# for builds behind a TLS-intercepting proxy (docker build --secret id=ca,src=...); it is never stored.
# --ignore-scripts: nothing in the tree needs an install script to build, so none runs.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
    && npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS build
# The SBOM attestation scans this stage too, naming its npm packages (BuildKit reads only a declared ARG).
ARG BUILDKIT_SBOM_SCAN_STAGE=true
COPY scripts/build.ts scripts/
COPY src/ src/
COPY public/ public/
# One bundle per entry point, and the static assets in dist/public/: the runtime needs no node_modules, so
# there is no production-dependency stage to prune (`npm ci --omit=dev`) and nothing from the registry
# reaches the final image unbundled.
RUN node scripts/build.ts

# ---- runtime ----

# hadolint cannot resolve the build argument, so it calls the pinned image untagged (DL3006, hadolint#1078)
# and its registry untrusted (DL3026, hadolint#689).
# hadolint ignore=DL3006,DL3026
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.0.0-local
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="moscow-time" \
      org.opencontainers.image.description="Current time in Moscow; Node.js slim image, non-root" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
# V8's heap sized from the container's memory limit: the old generation 43% of it (28 MB under 64 MiB,
# 55 MB under 128 MiB; V8's own default is about 259 MB whatever the limit), the young one 2 MB per
# semi-space. The server sizes its connection limit from the same figures. docs/operations.md: why these.
# VERSION and REVISION, the labels' build arguments, also reach the app: its build_info metric says them.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size-percentage=43" \
    VERSION=${VERSION} \
    REVISION=${REVISION}
# Owned by root and not writable by the runtime user: the app cannot modify itself. An absolute target,
# then WORKDIR: COPY creates /app as root, where WORKDIR would create it as the base image's user
# (distroless's is nonroot).
COPY --from=build /build/dist/ /app/dist/
WORKDIR /app
# Numeric, so Kubernetes' runAsNonRoot can verify it: 1000 is the image's `node` user.
USER 1000:1000
EXPOSE 5000
# Exec form, Node itself as the probe: no shell, no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["node", "dist/healthcheck.js"]
# Node directly (the image's entrypoint script execs it as PID 1), never `npm start`: npm would stand
# between Docker and the SIGTERM that starts a graceful shutdown. --no-concurrent-recompilation: V8
# optimises on the main thread, without the background compiler whose memory a 64 MiB limit cannot hold
# beside the health probe (a V8 flag that NODE_OPTIONS refuses, hence here; docs/performance.md weighs it).
CMD ["node", "--no-concurrent-recompilation", "dist/server.js"]
