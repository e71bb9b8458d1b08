#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Starts the bridge. The daemon reads its settings from /data/options.json
# (written by the Supervisor) itself, so nothing is passed on here.
set -e

bashio::log.info "Starting WhatsApp Bridge..."

cd /app
exec node dist/main.js
