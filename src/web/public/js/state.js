// @ts-check
// The page's only mutable state. Every other module holds constants and functions.

/** @typedef {import('../../page-api.js').StatusReport} StatusReport */
/** @typedef {import('../../page-api.js').DeliveryAttempt} DeliveryAttempt */

export const state = {
  /**
   * Latest status JSON (GET api/status, SSE `status` events); null until the first one.
   * @type {StatusReport | null}
   */
  status: null,
  /** Browser clock minus the app's clock (the status' `now`): countdowns run on the app's clock. */
  clockOffsetMs: 0,
  /**
   * Latest delivery attempts of every destination, newest first (GET api/deliveries).
   * @type {DeliveryAttempt[]}
   */
  deliveries: [],
  /**
   * The pairing code the user asked for here, until the state leaves `qr`.
   * @type {string | null}
   */
  localPairingCode: null,
  /**
   * The QR string and pairing code on screen, so a repeated status does not redo them.
   * @type {string | null}
   */
  shownQr: null,
  /** @type {string | null} */
  shownCode: null,
  /**
   * By result line's id: what the card showed when its last result appeared (the webhook's health
   * line, the dead deliveries); once that changes, the result is stale (result.js).
   * @type {Record<string, string | null>}
   */
  resultShownFor: {},
  /** The delivery log is fetched at most once a second: when it last was, and the pending fetch. */
  lastDeliveriesFetch: 0,
  /** @type {ReturnType<typeof setTimeout> | null} */
  deliveriesTimer: null,
  /**
   * A new event stream about to be opened after the browser gave up on the old one.
   * @type {ReturnType<typeof setTimeout> | null}
   */
  streamRetryTimer: null,
};

/** The app's clock, in epoch ms. */
export const appNow = () => Date.now() - state.clockOffsetMs;

/** @param {StatusReport} next */
export function setStatus(next) {
  state.clockOffsetMs = Date.now() - next.now;
  state.status = next;
}
