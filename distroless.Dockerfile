# moscow-time on Google's distroless Node.js image (Debian 13): no shell, no package manager, user nonroot.
#   docker build -f distroless.Dockerfile -t moscow-time:distroless .
#   docker run --rm -p 127.0.0.1:5001:5000 --read-only --tmpfs /tmp --cap-drop ALL \
#     --security-opt no-new-privileges moscow-time:distroless
# Behind a TLS-intercepting proxy, or without Docker Hub and gcr.io: README.md, "Docker".

# The build stages run on the same Node.js image as Dockerfile's.
ARG NODE_IMAGE=node:24.21.0-trixie-slim@sha256:8ec5d7557396cfe32d21c3f9c13072355ceab22b584578ca4bb28af31120cffe
# Distroless publishes no per-version tags: only the digest says which Node.js 24 runs. Where it comes from,
# and how to resolve a newer one: docs/security.md.
ARG DISTROLESS_IMAGE=gcr.io/distroless/nodejs24-debian13:nonroot@sha256:9eeb7f5887d0e239e78264b06f7f11d2e14be534050481803a9e4728fcdd278e

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
FROM ${DISTROLESS_IMAGE} AS runtime
ARG VERSION=0.0.0-local
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="moscow-time" \
      org.opencontainers.image.description="Current time in Moscow; distroless Node.js image, nonroot" \
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
# The image's nonroot user, given explicitly and numerically (Kubernetes' runAsNonRoot can verify it).
USER 65532:65532
EXPOSE 5000
# Exec form is the only form here: there is no shell. Node is not on PATH, hence the full path.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/nodejs/bin/node", "dist/healthcheck.js"]
# The image's entrypoint is already /nodejs/bin/node, so the command is its flags and the script.
# --no-concurrent-recompilation: V8 optimises on the main thread, without the background compiler whose
# memory a 64 MiB limit cannot hold beside the health probe (a V8 flag that NODE_OPTIONS refuses, hence here).
CMD ["--no-concurrent-recompilation", "dist/server.js"]
