#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Starts the bridge. The daemon reads its settings from /data/options.json
# (written by the Supervisor) itself, so nothing is passed on here.
set -e

bashio::log.info "Starting WhatsApp Bridge..."

cd /app
# A 1 MB young generation and one V8 worker thread (fewer malloc arenas holding freed compiler
# memory) keep the idle footprint under 95 MB (docs/performance.md, "Idle memory"); --expose-gc
# lets a large download ask for a young collection every 1 MB, so its freed network buffers do
# not pile up (docs/performance.md, "A 100 MB video"); --optimize-for-size lets V8's old
# generation grow less before it collects, which halves the peak of a burst for about 10% more
# time (docs/performance.md, "Decryption storm"). Keep this line equal to package.json's "start"
# script.
exec node --max-semi-space-size=1 --optimize-for-size --v8-pool-size=1 --expose-gc dist/main.js
