// @ts-check
// Keeps the state current: the status stream, a first status fetch, and the delivery log.
import { getJson, openEventStream } from './api.js';
import { renderDeliveryRows } from './cards/deliveries.js';
import { $, show } from './dom.js';
import { render } from './render.js';
import { setStatus, state } from './state.js';

const DELIVERIES_EVERY_MS = 1000;
const STREAM_RETRY_MS = 3000;

/** Refreshes the delivery log, at most once a second (a burst of status events is one fetch). */
export function refreshDeliveries() {
  if (state.deliveriesTimer) return;
  const wait = Math.max(0, state.lastDeliveriesFetch + DELIVERIES_EVERY_MS - Date.now());
  state.deliveriesTimer = setTimeout(async () => {
    state.lastDeliveriesFetch = Date.now();
    try {
      state.deliveries = (await getJson('api/deliveries', '?limit=20')).deliveries ?? [];
      renderDeliveryRows(state.deliveries);
      render();
    } catch {
      /* the stream note already says the app is unreachable */
    } finally {
      state.deliveriesTimer = null;
    }
  }, wait);
}

/** @param {import('./state.js').StatusReport} next */
function onStatus(next) {
  setStatus(next);
  render();
  refreshDeliveries();
}

/** The first status, in case the stream takes a moment. */
export async function loadStatus() {
  try {
    const first = await getJson('api/status');
    if (!state.status) onStatus(first);
  } catch {
    /* the event stream reports the outage */
  }
}

/**
 * While the stream is down the page says so and dims what may be out of date.
 * @param {boolean} up
 */
function streamUp(up) {
  show($('stream-note'), !up);
  document.body.classList.toggle('stale', !up);
}

/** The live stream. EventSource reconnects by itself; if it gives up (e.g. a 502 from the proxy), start a new one. */
export function openStream() {
  const source = openEventStream();
  source.addEventListener('open', () => streamUp(true));
  source.addEventListener('status', (event) => {
    streamUp(true);
    onStatus(/** @type {import('./state.js').StatusReport} */ (JSON.parse(event.data)));
  });
  source.addEventListener('error', () => {
    streamUp(false);
    if (source.readyState === EventSource.CLOSED && !state.streamRetryTimer) {
      state.streamRetryTimer = setTimeout(() => {
        state.streamRetryTimer = null;
        openStream();
      }, STREAM_RETRY_MS);
    }
  });
}
