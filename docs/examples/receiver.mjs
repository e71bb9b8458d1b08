// A minimal WhatsApp Bridge webhook receiver in plain Node.js (no dependencies).
// Checks the token and the Standard Webhooks signature, drops replays, and answers 2xx fast.
//   WEBHOOK_TOKEN=... WEBHOOK_SECRET=whsec_... PORT=8000 node receiver.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const token = process.env.WEBHOOK_TOKEN ?? '';
const secret = process.env.WEBHOOK_SECRET ?? '';
const seen = new Set(); // webhook-ids already processed (use a database in production)
let shownWhole = false; // the first delivery is printed as it arrived, the rest as one line each

function signatureValid(headers, body) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = String(headers['webhook-signature'] ?? '').split(' ');
  if (!id || !timestamp || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  const expected = Buffer.from(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`);
  return signatures.some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), expected));
}

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    if (token && req.headers['x-webhook-token'] !== token) return res.writeHead(401).end('bad token');
    if (secret && !signatureValid(req.headers, body)) return res.writeHead(401).end('bad signature');
    res.writeHead(204).end(); // acknowledge first, then work
    const id = req.headers['webhook-id'];
    if (seen.has(id)) return; // a retry of something already handled
    seen.add(id);
    const message = JSON.parse(body);
    if (!shownWhole) {
      shownWhole = true;
      const headers = Object.entries(req.headers).map(([name, value]) => `${name}: ${value}`);
      console.log(['First delivery, as this receiver got it:', `${req.method} ${req.url}`, ...headers, '', JSON.stringify(message, null, 2), ''].join('\n'));
    }
    console.log(`${message.sender} (${message.push_name ?? '?'}): ${message.content}`);
  });
}).listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '0.0.0.0', function () {
  console.log(`Listening on port ${this.address().port}`);
});
