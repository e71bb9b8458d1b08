ARG BUILD_FROM=ghcr.io/home-assistant/base:3.23

# ---- build stage: compile TypeScript and native modules (better-sqlite3) ----
FROM ${BUILD_FROM} AS build

RUN apk add --no-cache nodejs npm build-base python3

WORKDIR /app

# Dependency install scripts run only for the packages listed in package.json "allowScripts";
# our own postinstall applies patches/ (why: docs/architecture.md, "Patches to Baileys").
COPY package.json package-lock.json ./
COPY patches/ ./patches/
RUN npm ci

COPY tsconfig.json tsconfig.build.json ./
COPY src/ ./src/
RUN npm run build \
    && npm prune --omit=dev

# ---- runtime stage ----
FROM ${BUILD_FROM}

RUN apk add --no-cache nodejs

WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json

COPY run.sh /
RUN chmod a+x /run.sh

# The daemon serves an unauthenticated GET /api/health on its message-API port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD curl -fsS http://127.0.0.1:8080/api/health || exit 1

CMD [ "/run.sh" ]

ARG BUILD_ARCH
ARG BUILD_VERSION
LABEL \
    io.hass.name="WhatsApp Bridge" \
    io.hass.description="Forwards every incoming WhatsApp message to a webhook" \
    io.hass.arch="${BUILD_ARCH}" \
    io.hass.type="addon" \
    io.hass.version="${BUILD_VERSION}" \
    org.opencontainers.image.title="WhatsApp Bridge" \
    org.opencontainers.image.source="https://github.com/whatsapp-bridge/whatsapp-bridge" \
    org.opencontainers.image.licenses="MIT"
