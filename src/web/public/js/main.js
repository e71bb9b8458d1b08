// @ts-check
// The WhatsApp Bridge page: native ES modules, no build step, no framework.
import { wireActions } from './actions.js';
import { loadStatus, openStream } from './live.js';
import { tick } from './render.js';

wireActions();
loadStatus();
openStream();
setInterval(tick, 1000);
