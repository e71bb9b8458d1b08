// The page's only mutable state. Every other module holds constants and functions.

export const state = {
  /** Latest status JSON (GET api/status, SSE `status` events); null until the first one. */
  status: null,
  /** Browser clock minus the app's clock (the status' `now`): countdowns run on the app's clock. */
  clockOffsetMs: 0,
  /** Latest delivery attempts of every destination, newest first (GET api/deliveries). */
  deliveries: [],
  /** The pairing code the user asked for here, until the state leaves `qr`. */
  localPairingCode: null,
  /** The QR string and pairing code on screen, so a repeated status does not redo them. */
  shownQr: null,
  shownCode: null,
  /** The webhook's health line when the last test/retry result was shown: a change makes that result stale. */
  resultShownFor: null,
  /** The delivery log is fetched at most once a second: when it last was, and the pending fetch. */
  lastDeliveriesFetch: 0,
  deliveriesTimer: null,
  /** A new event stream about to be opened after the browser gave up on the old one. */
  streamRetryTimer: null,
};

/** The app's clock, in epoch ms. */
export const appNow = () => Date.now() - state.clockOffsetMs;

export function setStatus(next) {
  state.clockOffsetMs = Date.now() - next.now;
  state.status = next;
}
