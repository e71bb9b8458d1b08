import type { OptionProblem } from '../config/options.js';
import type { StorageProblem } from '../state/storage-watch.js';
import type { DestinationStatus } from '../delivery/destination.js';
import type { ConnectionStatus } from '../whatsapp/connection-status.js';
import type { MqttLinkStatus } from '../mqtt/mqtt-link.js';

/** The MQTT link and what it publishes: the broker's host:port, never its credentials. */
export type MqttReport = MqttLinkStatus & { entities: number; notify_targets: string[]; queued: number; dead: number };
import { APP_VERSION } from '../version.js';

/** What GET /api/status answers. Never holds a token or secret: the webhook shows its host only. */
export interface StatusReport {
  version: string;
  /** The app's clock (epoch ms), so the page's countdowns do not depend on the browser's. */
  now: number;
  state: ConnectionStatus['state'];
  qr: string | null;
  qr_expires_at: number | null;
  pairing_code: string | null;
  me: { jid: string; phone: string; lid: string | null; name: string | null; paired_at: number | null; connected_since: number | null } | null;
  last_disconnect: ConnectionStatus['lastDisconnect'];
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
  webhook: {
    /** 'invalid': turned on but its options need fixing (the problems say how). */
    state: 'off' | 'invalid' | 'on';
    enabled: boolean;
    url_host: string | null;
    paused: string | null;
    counters: { delivered: number; queued: number; retrying: number; dead: number; oldest_queued_age_s: number | null };
  };
  ha_events: { enabled: boolean; paused: string | null; delivered: number; queued: number; dead: number };
  /** The message API: its port and a hint of the token (never the token itself). */
  api: { port: number; token_source: 'option' | 'generated'; token_hint: string };
  /** Received files: where they go, how many are kept, what failed last. */
  media: { download: boolean; folder: string; files: number; bytes: number; pending: number; last_error: string | null };
  /** Voice notes as text: the speech-to-text entity (null: off) and its last failure. */
  voice_to_text: { entity: string | null; last_error: string | null };
  /** Home Assistant entities over MQTT. */
  mqtt: {
    state: MqttLinkStatus['state'];
    broker: string | null;
    error: string | null;
    next_attempt_at: number | null;
    entities: number;
    notify_targets: string[];
    /** Events for the event entity waiting for the broker, and dead ones. */
    queued: number;
    dead: number;
  };
  /** Why messages cannot be stored right now (they wait at WhatsApp), or null. */
  storage: StorageProblem | null;
  problems: OptionProblem[];
}

export interface StatusSources {
  connection: ConnectionStatus;
  pairedAt: number | null;
  webhookState: 'off' | 'invalid' | 'on';
  webhookHost: string | null;
  webhook: DestinationStatus | null;
  haEvents: DestinationStatus | null;
  api: { port: number; tokenSource: 'option' | 'generated'; tokenHint: string };
  media: { download: boolean; folder: string; files: number; bytes: number; pending: number; lastError: string | null };
  voice: { entity: string | null; lastError: string | null };
  mqtt: MqttReport;
  storage: StorageProblem | null;
  problems: OptionProblem[];
  now: number;
}

export function buildStatusReport(s: StatusSources): StatusReport {
  const c = s.connection;
  const counts = s.webhook?.counts;
  return {
    version: APP_VERSION,
    now: s.now,
    state: c.state,
    qr: c.qr,
    qr_expires_at: c.qrExpiresAt,
    pairing_code: c.pairingCode,
    me: c.account ? { ...c.account, paired_at: s.pairedAt, connected_since: c.connectedSince } : null,
    last_disconnect: c.lastDisconnect,
    next_reconnect_at: c.nextReconnectAt,
    passkey: c.passkey && {
      phase: c.passkey.phase,
      request_options: c.passkey.requestOptions === null ? null : (JSON.parse(c.passkey.requestOptions) as Record<string, unknown>),
      expires_at: c.passkey.expiresAt,
      confirmation_code: c.passkey.confirmationCode,
      error: c.passkey.error,
    },
    webhook: {
      state: s.webhookState,
      enabled: s.webhookState === 'on',
      url_host: s.webhookHost,
      paused: s.webhook?.paused ?? null,
      counters: {
        delivered: counts?.delivered ?? 0,
        queued: counts?.queued ?? 0,
        retrying: counts?.retrying ?? 0,
        dead: counts?.dead ?? 0,
        oldest_queued_age_s: counts?.oldestQueuedAt ? Math.round((s.now - counts.oldestQueuedAt) / 1000) : null,
      },
    },
    ha_events: {
      enabled: s.haEvents !== null,
      paused: s.haEvents?.paused ?? null,
      delivered: s.haEvents?.counts.delivered ?? 0,
      queued: s.haEvents?.counts.queued ?? 0,
      dead: s.haEvents?.counts.dead ?? 0,
    },
    api: { port: s.api.port, token_source: s.api.tokenSource, token_hint: s.api.tokenHint },
    media: {
      download: s.media.download,
      folder: s.media.folder,
      files: s.media.files,
      bytes: s.media.bytes,
      pending: s.media.pending,
      last_error: s.media.lastError,
    },
    voice_to_text: { entity: s.voice.entity, last_error: s.voice.lastError },
    mqtt: {
      state: s.mqtt.state,
      broker: s.mqtt.broker,
      error: s.mqtt.error,
      next_attempt_at: s.mqtt.nextAttemptAt,
      entities: s.mqtt.entities,
      notify_targets: s.mqtt.notify_targets,
      queued: s.mqtt.queued,
      dead: s.mqtt.dead,
    },
    storage: s.storage,
    problems: s.problems,
  };
}
