import type { ConnectionStatus } from '../whatsapp/connection-status.js';

/** The WhatsApp link in GET api/status. */
export interface ConnectionReport {
  state: ConnectionStatus['state'];
  qr: string | null;
  qr_expires_at: number | null;
  pairing_code: string | null;
  me: { jid: string; phone: string; lid: string | null; name: string | null; paired_at: number | null; connected_since: number | null } | null;
  last_disconnect: ConnectionStatus['lastDisconnect'];
  /** Why the account must be linked again (the phone removed the link, or it was unlinked on the page), until it is. */
  relink_reason: string | null;
  next_reconnect_at: number | null;
  /** While `state` is `passkey`: what the page needs to walk the user through it (no secret: the challenge is public). */
  passkey: {
    phase: 'waiting' | 'checking' | 'confirming' | 'failed';
    /** WhatsApp's WebAuthn request options, for the snippet the user runs on web.whatsapp.com. */
    request_options: Record<string, unknown> | null;
    expires_at: number | null;
    confirmation_code: string | null;
    error: string | null;
  } | null;
}

/** The connection's slice: its status as the page reads it, and when the account was paired. */
export function connectionReport(c: ConnectionStatus, pairedAt: number | null): ConnectionReport {
  return {
    state: c.state,
    qr: c.qr,
    qr_expires_at: c.qrExpiresAt,
    pairing_code: c.pairingCode,
    me: c.account ? { ...c.account, paired_at: pairedAt, connected_since: c.connectedSince } : null,
    last_disconnect: c.lastDisconnect,
    relink_reason: c.relinkReason,
    next_reconnect_at: c.nextReconnectAt,
    passkey: c.passkey && {
      phase: c.passkey.phase,
      request_options: c.passkey.requestOptions === null ? null : (JSON.parse(c.passkey.requestOptions) as Record<string, unknown>),
      expires_at: c.passkey.expiresAt,
      confirmation_code: c.passkey.confirmationCode,
      error: c.passkey.error,
    },
  };
}
