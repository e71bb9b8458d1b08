// @ts-check
// The MQTT card: what Home Assistant has of the app over the broker, or why it has nothing.
import { $, setText } from '../dom.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */

/** @param {StatusReport['mqtt']} m */
function mqttLine(m) {
  switch (m.state) {
    case 'off':
      return "off ('mqtt_enabled')";
    case 'no_broker':
      return m.error ?? '';
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

/** @param {StatusReport} status */
export function renderMqtt(status) {
  setText('mqtt-line', mqttLine(status.mqtt));
  $('mqtt-line').dataset.tone = status.mqtt.state === 'down' || status.mqtt.state === 'no_broker' ? 'warn' : '';
}
