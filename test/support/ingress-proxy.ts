import { needs } from '../../simulator/harness/system-command.js';

// The proxy itself lives with the harness, where scripts/screenshots.ts can use it too.
export { startIngressProxy, type IngressProxy, type IngressProxyOptions } from '../../simulator/harness/ingress-proxy.js';

/** `skip` option for tests that start the proxy: describe('...', { skip: needsNginx }, ...). */
export const needsNginx = needs('/usr/sbin/nginx', 'nginx-light');
