// @ts-check
// Draws the whole page from the state; the cards each draw their own part.
import { renderAssist } from './cards/assist.js';
import { renderConnection, tickConnection } from './cards/connection.js';
import { renderDeliveriesCard } from './cards/deliveries.js';
import { renderHaEvents } from './cards/ha-events.js';
import { renderMedia } from './cards/media.js';
import { renderMessageApi } from './cards/message-api.js';
import { renderMqtt } from './cards/mqtt.js';
import { renderProblems } from './cards/problems.js';
import { renderStorage } from './cards/storage.js';
import { renderVoice } from './cards/voice.js';
import { renderWebhook } from './cards/webhook.js';
import { setText } from './dom.js';
import { state } from './state.js';

export function render() {
  const { status, deliveries } = state;
  if (!status) return;
  document.body.dataset.state = status.state;
  setText('version', status.version ? `v${status.version}` : '');
  setText('foot-version', status.version ? `v${status.version}` : '');
  renderProblems(status);
  renderStorage(status);
  renderConnection(status);
  renderWebhook(status, deliveries);
  renderHaEvents(status);
  renderMqtt(status);
  renderDeliveriesCard(status, deliveries);
  renderMedia(status);
  renderVoice(status);
  renderAssist(status);
  renderMessageApi(status);
  tick();
}

/** Once a second: countdowns and "… ago" texts. */
export function tick() {
  if (state.status) tickConnection(state.status);
}
