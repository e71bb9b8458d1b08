import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { WaSimulator } from '../../simulator/index.js';
import { needsNginx, startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Bridge } from '../../src/bridge.js';
import { readEnvironment } from '../../src/config/environment.js';
import { parseOptions } from '../../src/config/options.js';
import { postToPage, startBridge, type InProcessBridge } from '../support/bridge-harness.js';
import { bridgeWithReceiver } from '../support/paired-bridge.js';
import { launchBrowser, needsChromium, screenshot, watchErrors } from './support/browser.js';

/**
 * The page as a user gets it: the real bridge against the loopback WhatsApp simulator, a real
 * webhook receiver, nginx in front mimicking Home Assistant's ingress (prefix stripped,
 * X-Ingress-Path, no Accept-Encoding, streaming), and headless Chromium.
 */

const OWNER = { phone: '4915123456789', pushName: 'Home Assistant' };
/** The webhook id in the URL path is as secret as the token and the signing secret. */
const SECRETS = { token: 'tok-SECRET-7f3a9c', secret: 'whsec_U0VDUkVULXNpZ25pbmcta2V5', path: 'wa-SECRET-91c2e0' };
const VIEWPORT = { width: 1024, height: 720 };

let browser: Browser;

before(async () => {
  if (!needsChromium) browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const waitForState = (page: Page, state: string) => page.waitForSelector(`body[data-state="${state}"]`);

/** The QR string the page holds for the image it shows. */
async function qrOnPage(page: Page): Promise<string> {
  await page.waitForSelector('#qr[data-qr]');
  const qr = await page.getAttribute('#qr', 'data-qr');
  assert.ok(qr, 'the page holds a QR string');
  return qr;
}

/** Waits until the QR image finished loading and checks it renders exactly `qr`. */
async function assertQrImageShows(page: Page, qr: string): Promise<void> {
  await page.waitForFunction(() => {
    const img = document.getElementById('qr') as HTMLImageElement;
    return img.complete && img.naturalWidth > 0 && !img.closest('[hidden]');
  });
  const src = await page.getAttribute('#qr', 'src');
  assert.match(src ?? '', /^api\/qr\.svg\?v=\w+$/, 'relative, cache-busted QR URL');
  const shown = await page.evaluate(async () => {
    const img = document.getElementById('qr') as HTMLImageElement;
    const res = await fetch(img.currentSrc);
    return { type: res.headers.get('content-type'), svg: await res.text() };
  });
  assert.match(shown.type ?? '', /^image\/svg\+xml/);
  // The image the page shows is the QR of the string it holds (same renderer and settings as the server).
  assert.equal(shown.svg, await QRCode.toString(qr, { type: 'svg', margin: 2, errorCorrectionLevel: 'L' }));
}

describe('pairing, delivering and unlinking through the ingress proxy', { skip: needsChromium || needsNginx }, () => {
  let sim: WaSimulator;
  let receiver: TestReceiver;
  let app: InProcessBridge;
  let proxy: IngressProxy;
  let page: Page;
  let errors: string[];
  const requested: string[] = [];

  before(async () => {
    ({
      sim,
      receiver,
      bridge: app,
    } = await bridgeWithReceiver({
      simulator: { account: OWNER },
      respond: () => ({ status: 200, delayMs: 15 }),
      webhookPath: `/${SECRETS.path}`,
      options: { webhook_token: SECRETS.token, webhook_secret: SECRETS.secret },
    }));
    proxy = await startIngressProxy({ upstreamPort: app.ingressPort });
    page = await browser.newPage({ viewport: VIEWPORT });
    page.setDefaultTimeout(15_000);
    errors = watchErrors(page);
    page.on('request', (r) => requested.push(r.url()));
    const response = await page.goto(proxy.url);
    assert.equal(response?.status(), 200);
  });

  after(async () => {
    await page?.close();
    await proxy?.stop();
    await app?.stop();
    await sim?.stop();
    await receiver?.close();
  });

  test('shows the QR code, with a countdown, under the ingress prefix', async () => {
    await waitForState(page, 'qr');
    const qr = await qrOnPage(page);
    await assertQrImageShows(page, qr);
    assert.ok((await page.evaluate(() => (document.getElementById('qr') as HTMLImageElement).currentSrc)).startsWith(`${proxy.url}api/qr.svg?v=`));
    await page.waitForFunction(() => /replaces this code in \d+ s/.test(document.getElementById('qr-countdown')!.textContent ?? ''));
    assert.equal(await page.textContent('#state-pill'), 'Not linked');
    assert.equal(await page.getAttribute('#state-live', 'aria-live'), 'polite');
    await screenshot(page, '01-qr');
  });

  test('the phone scans the QR read from the page; the page turns to connected without a reload', async () => {
    await page.evaluate(() => ((window as any).__sameDocument = true));
    await sim.pairWithQr(await qrOnPage(page));
    await waitForState(page, 'connected');
    assert.equal(await page.evaluate(() => (window as any).__sameDocument), true, 'no reload');
    assert.equal(await page.textContent('#account-phone'), `+${OWNER.phone}`);
    // WhatsApp may tell the push name only later (app state sync): shown when the status has it.
    const name = await page.evaluate(async () => (await (await fetch('api/status')).json()).me.name);
    if (name) assert.equal(await page.textContent('#account-name'), name);
    else assert.equal(await page.isHidden('#account-name'), true);
    assert.match((await page.textContent('#account-since')) ?? '', /\d/);
    assert.equal(await page.isHidden('#pairing'), true);
    assert.equal(await page.isVisible('#unlink-btn'), true);
  });

  test('a message sent through the simulator shows up in the delivery log', async () => {
    const alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    await sim.sendText(alice, 'Hello from the simulator');
    await sim.sendText(alice, 'Is the doorbell working?');
    await receiver.waitForCount(2);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#deliveries-body tr[data-outcome="delivered"]')];
      return rows.filter((r) => r.textContent?.includes('+4917600000001')).length === 2;
    });
    await page.waitForFunction(() => document.getElementById('count-delivered')!.textContent === '2');
    const ids = await page.$$eval('#deliveries-body tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.messageId));
    assert.deepEqual(new Set(ids), new Set(receiver.accepted.map((p) => p.id)));
    assert.equal(await page.getAttribute('#webhook-line', 'data-tone'), 'ok');
    assert.match((await page.textContent('#webhook-text')) ?? '', new RegExp(`127\\.0\\.0\\.1:${receiver.port}`));
  });

  test('"Send test" reports the receiver\'s status code and latency', async () => {
    receiver.respondWith(() => ({ status: 202, delayMs: 40 }));
    await page.click('#test-btn');
    await page.waitForSelector('#webhook-result[data-status]');
    const { status, duration, text } = await page.$eval('#webhook-result', (el) => ({
      status: (el as HTMLElement).dataset.status,
      duration: Number((el as HTMLElement).dataset.duration),
      text: el.textContent,
    }));
    assert.equal(status, '202');
    assert.ok(duration >= 40, `latency ${duration} ms includes the receiver's 40 ms`);
    assert.equal(text, `Test delivered: the receiver answered HTTP 202 in ${duration} ms.`);
    assert.equal(receiver.requests.at(-1)?.json?.event, 'test');
    await page.waitForSelector('#deliveries-body tr[data-outcome="delivered"] >> text=Test send');
    receiver.respondWith(() => ({ status: 200, delayMs: 15 }));
    await screenshot(page, '02-connected-deliveries');
  });

  test('the Message API card shows the token masked; Copy hands over the real one', async () => {
    const token = (await (await postToPage(app.url, 'api/message-api/token')).json()).token as string;
    const hint = (await page.textContent('#api-token-hint')) ?? '';
    assert.ok(hint.includes(token.slice(-4)) && !hint.includes(token), `masked: ${hint}`);
    assert.ok(!(await page.content()).includes(token), 'the token is not in the page before asking');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.click('#api-token-btn');
    await page.waitForFunction(() => (document.getElementById('api-token-result')!.textContent ?? '') !== '');
    const copied = (await page.textContent('#api-token-result'))!.startsWith('Token copied')
      ? await page.evaluate(() => navigator.clipboard.readText())
      : await page.inputValue('#api-token-value');
    assert.equal(copied, token);
    assert.match((await page.textContent('#ha-events')) ?? '', /^off/);
  });

  test('dark mode follows prefers-color-scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const colours = await page.evaluate(() => ({
      body: getComputedStyle(document.body).backgroundColor,
      card: getComputedStyle(document.getElementById('whatsapp')!).backgroundColor,
      text: getComputedStyle(document.body).color,
    }));
    assert.deepEqual(colours, { body: 'rgb(17, 17, 17)', card: 'rgb(28, 28, 28)', text: 'rgb(225, 225, 225)' });
    await screenshot(page, '03-connected-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(250, 250, 250)');
  });

  test('a failing receiver is shown with what to do, and clears when it recovers', async () => {
    receiver.respondWith(() => ({ status: 503, headers: { 'Retry-After': '1' } }));
    const bob = sim.contact({ phone: '4917600000002', pushName: 'Bob' });
    await sim.sendText(bob, 'Are you there?');
    await page.waitForSelector('#webhook-line[data-tone="error"]');
    assert.equal(await page.textContent('#webhook-text'), 'The receiver is failing.');
    await page.waitForSelector('#deliveries-body tr[data-outcome="retrying"]');
    await page.waitForFunction(() => /answered HTTP 503.*What to do/s.test(document.getElementById('webhook-detail')!.textContent ?? ''));
    await screenshot(page, '04-receiver-failing');
    receiver.respondWith(() => ({ status: 200 }));
    await receiver.waitFor(() => receiver.accepted.some((p) => p.content === 'Are you there?'), 8000, 'the retried message');
    await page.waitForSelector('#webhook-line[data-tone="ok"]');
    await page.waitForFunction(() => document.getElementById('count-retrying')!.textContent === '0');
  });

  test('another client taking the session (440) offers Reconnect, which recovers', async () => {
    sim.streamError(440);
    await waitForState(page, 'replaced');
    assert.equal(await page.textContent('#state-pill'), 'Session replaced');
    assert.match((await page.textContent('#state-detail')) ?? '', /another client.*What to do/s);
    await screenshot(page, '05-replaced');
    await page.click('#reconnect-btn');
    await waitForState(page, 'connected');
  });

  test('Unlink asks for confirmation in a dialog, then brings back a fresh QR', async () => {
    const before = sim.devices.length;
    assert.equal(before, 1);
    // Cancel with the keyboard: nothing happens.
    await page.focus('#unlink-btn');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog#unlink-dialog[open]');
    await screenshot(page, '06-unlink-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog#unlink-dialog:not([open])', { state: 'attached' });
    assert.equal(await page.getAttribute('body', 'data-state'), 'connected');
    // Confirm.
    await page.click('#unlink-btn');
    await page.click('#unlink-confirm');
    await waitForState(page, 'qr');
    const qr = await qrOnPage(page);
    await assertQrImageShows(page, qr);
    assert.equal(await page.isHidden('#account'), true);
    assert.equal(sim.devices.length, 0, 'the device was logged out');
  });

  test('links with a phone number: the page shows the 8-character code grouped 4-4', async () => {
    await page.click('#phone-link summary');
    await page.fill('#pairing-phone', 'nonsense');
    await page.click('#pairing-submit');
    await page.waitForFunction(() => /country code/.test(document.getElementById('pairing-error')!.textContent ?? ''));
    await page.fill('#pairing-phone', `+${OWNER.phone.slice(0, 2)} ${OWNER.phone.slice(2, 5)} ${OWNER.phone.slice(5)}`);
    await page.press('#pairing-phone', 'Enter');
    await page.waitForSelector('#pairing-result:not([hidden])');
    const shown = (await page.textContent('#pairing-code')) ?? '';
    assert.match(shown, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    assert.match((await page.textContent('#pairing-result')) ?? '', /Link with phone number instead/);
    await screenshot(page, '07-pairing-code');
    await sim.pairWithCode(shown);
    await waitForState(page, 'connected');
    assert.equal(await page.textContent('#account-phone'), `+${OWNER.phone}`);
  });

  test('no token, signing secret or webhook path reaches the page or its API answers', async () => {
    assert.equal(receiver.requests.at(-1)?.headers['x-webhook-token'], SECRETS.token, 'the receiver did get the token');
    // (No named helper functions inside evaluate: tsx would wrap them in a __name() the page lacks.)
    const { seen, scripts } = await page.evaluate(
      async (paths) => {
        // Besides the API answers: every module the page loaded.
        const scripts = performance
          .getEntriesByType('resource')
          .map((entry) => entry.name)
          .filter((url) => url.endsWith('.js'));
        const answers = await Promise.all([...paths, ...scripts].map(async (path) => (await fetch(path)).text()));
        return { seen: [document.documentElement.outerHTML, ...answers].join('\n'), scripts };
      },
      ['api/status', 'api/deliveries?limit=200', ''],
    );
    assert.ok(
      scripts.some((url) => url.endsWith('/js/main.js')),
      `modules read: ${scripts.join(', ')}`,
    );
    for (const secret of Object.values(SECRETS)) assert.equal(seen.includes(secret), false, `${secret} leaked`);
    assert.equal(/SECRET/.test(seen), false);
  });

  test("the page works framed by Home Assistant's own origin (CSP frame-ancestors 'self'), and not by another", async () => {
    const framed = await browser.newPage({ viewport: VIEWPORT });
    try {
      // Home Assistant's frontend frames the ingress URL from its own origin: here, the proxy's.
      await framed.goto(`${new URL('/', proxy.url).href}`).catch(() => undefined);
      await framed.evaluate((src) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.append(frame);
      }, proxy.url);
      const inside = await (await framed.waitForSelector('iframe'))!.contentFrame();
      // The pill reads "Loading…" until the first status arrives over the event stream.
      await inside!.waitForFunction(() => !/Loading/.test(document.querySelector('#state-pill')?.textContent ?? 'Loading'));
      assert.match((await inside!.textContent('#state-pill')) ?? '', /Connected|Not linked|Unlinked|Connecting/);
      // Any other origin (here a page of its own, origin "null") is refused by the browser.
      const other = await browser.newPage();
      try {
        const refused = new Promise<boolean>((resolve) => {
          other.on('console', (m) => /frame-ancestors/.test(m.text()) && resolve(true));
          setTimeout(() => resolve(false), 5000);
        });
        await other.setContent(`<iframe src="${proxy.url}"></iframe>`);
        assert.equal(await refused, true, 'the browser reported the frame-ancestors refusal');
        const child = other.frames().find((f) => f !== other.mainFrame());
        assert.equal((await child?.$('#state-pill').catch(() => null)) ?? null, null, 'nothing of the page rendered in the foreign frame');
      } finally {
        await other.close();
      }
    } finally {
      await framed.close();
    }
  });

  test('every request stayed under the ingress prefix, and the page logged no errors', () => {
    assert.ok(requested.some((url) => url.endsWith('api/events')));
    assert.deepEqual(
      requested.filter((url) => !url.startsWith(proxy.url)),
      [],
    );
    assert.deepEqual(errors, []);
  });
});

describe('options that need fixing', { skip: needsChromium || needsNginx }, () => {
  let sim: WaSimulator;
  let app: InProcessBridge;
  let proxy: IngressProxy;

  before(async () => {
    sim = await WaSimulator.start();
    app = await startBridge({
      waUrl: sim.url,
      options: { webhook_enabled: true, webhook_url: 'homeassistant:8123/api/webhook/whatsapp', log_level: 'verbose' },
    });
    proxy = await startIngressProxy({ upstreamPort: app.ingressPort });
  });

  after(async () => {
    await proxy?.stop();
    await app?.stop();
    await sim?.stop();
  });

  test('each problem message is shown, the webhook says why it is off, and pairing still works', async () => {
    assert.equal(app.problems.length, 2);
    const page = await browser.newPage({ viewport: VIEWPORT });
    try {
      page.setDefaultTimeout(15_000);
      await page.goto(proxy.url);
      await page.waitForSelector('#problems:not([hidden])');
      const shown = await page.$$eval('#problems-list li', (items) => items.map((li) => li.textContent));
      assert.equal(shown.length, 2);
      assert.deepEqual(
        shown,
        app.problems.map((p) => p.message),
      );
      assert.equal(await page.getAttribute('#webhook-line', 'data-tone'), 'warn');
      assert.match((await page.textContent('#webhook-detail')) ?? '', /options have a problem/);
      await waitForState(page, 'qr');
      await qrOnPage(page);
      await page.waitForFunction(() => (document.getElementById('qr') as HTMLImageElement).complete);
      await screenshot(page, '08-options-invalid');
    } finally {
      await page.close();
    }
  });
});

describe('only the ingress proxy may connect', { skip: needsChromium || needsNginx }, () => {
  let sim: WaSimulator;
  let bridge: Bridge;
  let ingressPort: number;
  let proxy: IngressProxy;

  before(async () => {
    sim = await WaSimulator.start();
    // Under the Supervisor the server listens on 0.0.0.0 and answers only 172.30.32.2.
    const env = readEnvironment({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'wab-page-')),
      INGRESS_PORT: '0',
      API_PORT: '0',
      WA_WEBSOCKET_URL: sim.url,
      SUPERVISOR_TOKEN: 'x',
    });
    bridge = new Bridge({ env, parsed: parseOptions({}), logger: pino({ level: 'silent' }) });
    ({ ingressPort } = await bridge.start());
    proxy = await startIngressProxy({ upstreamPort: ingressPort });
  });

  after(async () => {
    await proxy?.stop();
    await bridge?.stop();
    await sim?.stop();
  });

  test('a request from any other address gets 403', async () => {
    for (const path of ['/', '/api/status', '/api/events', '/js/main.js']) {
      assert.equal(await statusOf(ingressPort, path), 403, `direct GET ${path}`);
    }
    const page = await browser.newPage({ viewport: VIEWPORT });
    try {
      const response = await page.goto(proxy.url);
      assert.equal(response?.status(), 403);
      assert.match((await page.textContent('body')) ?? '', /Forbidden/);
    } finally {
      await page.close();
    }
  });
});

function statusOf(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}
