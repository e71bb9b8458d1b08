// The Home Assistant card: events on its bus, and the message API automations answer through.
import { $, setText } from '../dom.js';

function eventsLine(e) {
  if (!e.enabled) return "off (turn on 'ha_event_enabled' to fire whatsapp_message events)";
  return `whatsapp_message on: ${e.delivered} delivered, ${e.queued} queued${e.dead ? `, ${e.dead} dead` : ''}${e.paused ? ' (paused)' : ''}`;
}

/** The MQTT link: what Home Assistant has of the app, or why it has nothing. */
function mqttLine(m) {
  switch (m.state) {
    case 'off':
      return "off ('mqtt_enabled')";
    case 'no_broker':
      return m.error;
    case 'connecting':
      return `connecting to ${m.broker ?? 'the broker'}…`;
    case 'down':
      return `${m.broker ?? 'broker'}: ${m.error}; trying again${m.queued ? ` (${m.queued} events wait for it)` : ''}`;
    default: {
      const entities = m.entities ? `${m.entities} entities` : 'no entities until an account is linked';
      const notify = m.notify_targets.length ? ` · ${m.notify_targets.join(', ')}` : '';
      const dead = m.dead ? ` · ${m.dead} dead events` : '';
      return `connected to ${m.broker}: ${entities}${notify}${dead}`;
    }
  }
}

/** "12 files, 3.4 MB in /media/whatsapp", what waits, and the last failure with what to do. */
function mediaLine(m) {
  if (!m.download) return `not saved ('media_download' is off): messages carry only what WhatsApp says about their files`;
  const size = m.bytes < 1024 * 1024 ? `${Math.round(m.bytes / 1024)} kB` : `${(m.bytes / 1024 / 1024).toFixed(1)} MB`;
  const waiting = m.pending ? `, ${m.pending} downloading` : '';
  const failed = m.last_error
    ? ` · last problem: ${m.last_error}${/disk full|not writable/.test(m.last_error) ? ` (free space in ${m.folder} or check the folder)` : ''}`
    : '';
  return `${m.files} ${m.files === 1 ? 'file' : 'files'}, ${size} in ${m.folder}${waiting}${failed}`;
}

/** The speech-to-text entity voice notes go to, and its last failure. */
function voiceLine(v) {
  if (!v?.entity) return "off (set 'voice_to_text' to a speech-to-text entity, e.g. stt.home_assistant_cloud)";
  return `${v.entity}${v.last_error ? ` · last problem: ${v.last_error}` : ''}`;
}

export function renderHomeAssistant(status) {
  setText('media-line', mediaLine(status.media));
  $('media-line').dataset.tone = status.media.last_error ? 'warn' : '';
  setText('voice-line', voiceLine(status.voice_to_text));
  $('voice-line').dataset.tone = status.voice_to_text?.last_error ? 'warn' : '';
  setText('mqtt-line', mqttLine(status.mqtt));
  $('mqtt-line').dataset.tone = status.mqtt.state === 'down' || status.mqtt.state === 'no_broker' ? 'warn' : '';
  const e = status.ha_events;
  setText('ha-events', eventsLine(e));
  $('ha-events').dataset.tone = e.dead > 0 || e.paused ? 'warn' : '';
  $('ha-events').title = e.paused ?? '';
  setText('api-port', `port ${status.api.port}, POST /api/send`);
  const { token_hint: hint, token_source: source } = status.api;
  setText('api-token-hint', `••••••••${hint.replace('…', '')}${source === 'generated' ? ' (generated)' : ' (from the options)'}`);
}
