ARG BUILD_FROM=ghcr.io/home-assistant/base:3.23

# ---- build stage: compile TypeScript and native modules (better-sqlite3) ----
FROM ${BUILD_FROM} AS build

# Alpine 3.23's nodejs is Node.js 24 LTS; both stages install it from the same base image, so the
# native modules built here match the runtime's ABI. better-sqlite3 downloads its linuxmusl
# prebuild for x64/arm64 and compiles with build-base and python3 when it cannot (README.md,
# "The image").
RUN apk add --no-cache nodejs npm build-base python3

WORKDIR /app

# package.json "allowScripts" lists the dependencies whose install scripts must run (npm 12 runs
# only those, older npm runs all); our own postinstall applies patches/
# (why: docs/architecture.md, "Patches to Baileys").
COPY package.json package-lock.json ./
COPY patches/ ./patches/
RUN npm ci

COPY tsconfig.json tsconfig.build.json ./
COPY src/ ./src/
# ogg-opus-decoder (voice notes as text) ships browser bundles (dist/) and an optional
# machine-learning decoder that only its `speechQualityEnhancement` option loads, which the app
# never sets: 18 MB the image does without. Node runs the package's src/ and opus-decoder.
RUN npm run build \
    && npm prune --omit=dev \
    && rm -rf node_modules/ogg-opus-decoder/dist node_modules/@wasm-audio-decoders/opus-ml

# ---- runtime stage ----
FROM ${BUILD_FROM}

RUN apk add --no-cache nodejs

WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json

COPY run.sh /
RUN chmod a+x /run.sh

# The daemon serves an unauthenticated GET /api/health on its message-API port, which it reads
# from API_PORT. With the app's Watchdog switch on, the Supervisor restarts the app when the
# container turns unhealthy (config.yaml's "watchdog" key is obsolete). Shell form, so that
# ${API_PORT} is expanded when the check runs.
ENV API_PORT=8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD curl -fsS "http://127.0.0.1:${API_PORT}/api/health" || exit 1

CMD [ "/run.sh" ]

ARG BUILD_ARCH
ARG BUILD_VERSION
LABEL \
    io.hass.name="WhatsApp Bridge" \
    io.hass.description="Forwards every incoming WhatsApp message to a webhook" \
    io.hass.arch="${BUILD_ARCH}" \
    io.hass.type="app" \
    io.hass.version="${BUILD_VERSION}" \
    org.opencontainers.image.title="WhatsApp Bridge" \
    org.opencontainers.image.source="https://github.com/whatsapp-bridge/whatsapp-bridge" \
    org.opencontainers.image.licenses="MIT"
