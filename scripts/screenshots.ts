/**
 * Makes the README's and DOCS.md's screenshots (docs/images/page-*.png) from the real page: the
 * daemon against the loopback WhatsApp simulator, a real webhook receiver, nginx in front as Home
 * Assistant's ingress, headless Chromium. Each PNG carries the version the page shows as a tEXt
 * chunk, which test/docs-images.test.ts compares with config.yaml. Run it for each release:
 *
 *   npm run screenshots
 *
 * Nothing is written unless every picture was made, so the images never mix two versions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import type { Browser, Page } from 'playwright-core';
import { TestAuthenticator, WaSimulator } from '../simulator/index.js';
import { BridgeProcess } from '../simulator/harness/bridge-process.js';
import { launchChromium } from '../simulator/harness/chromium.js';
import { startIngressProxy } from '../simulator/harness/ingress-proxy.js';
import { TestReceiver } from '../simulator/harness/receiver.js';
import { SCREENSHOTS, SCREENSHOT_VERSION_KEY } from './support/docs-images.js';
import { withTextChunk } from './support/png-text.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const VERSION = (load(readFileSync(`${ROOT}config.yaml`, 'utf8')) as { version: string }).version;
const OWNER = { phone: '4915123456789', pushName: 'Home Assistant' };
/** The message API's port the docs name; any free one when another program has it. */
const DOCUMENTED_API_PORT = 8080;
const STEP_TIMEOUT_MS = 20_000;

type Shots = Map<string, Buffer>;

/** A running daemon with its simulator, receiver and ingress proxy, and a page on it. */
interface Scene {
  sim: WaSimulator;
  receiver: TestReceiver;
  page: Page;
  close(): Promise<void>;
}

async function openScene(browser: Browser, options: Record<string, unknown>, viewport: { width: number; height: number }): Promise<Scene> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const sim = await WaSimulator.start({ account: OWNER });
    cleanups.push(() => sim.stop());
    const receiver = await TestReceiver.start();
    cleanups.push(() => receiver.close());
    const daemon = await BridgeProcess.start({
      options: { webhook_enabled: true, webhook_url: `${receiver.url}/api/webhook/whatsapp`, ...options },
      waUrl: sim.url,
      env: { API_PORT: String((await isFree(DOCUMENTED_API_PORT)) ? DOCUMENTED_API_PORT : 0) },
    });
    cleanups.push(() => daemon.kill('SIGTERM'));
    if (!daemon.ingressUrl) throw new Error(`the daemon did not start:\n${daemon.lines.join('\n')}`);
    const proxy = await startIngressProxy({ upstreamPort: Number(new URL(daemon.ingressUrl).port) });
    cleanups.push(() => proxy.stop());
    const page = await browser.newPage({ viewport, locale: 'en-US' });
    cleanups.push(() => page.close());
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const response = await page.goto(proxy.url);
    if (response?.status() !== 200) throw new Error(`the page answered HTTP ${response?.status()} through the ingress proxy`);
    return { sim, receiver, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The whole page (or only the card `selector`), once it shows this version; the version goes into the PNG too. */
async function shoot(page: Page, shots: Shots, name: string, selector?: string): Promise<void> {
  await page
    .waitForFunction((version) => document.getElementById('version')?.textContent === `v${version}`, VERSION, { timeout: 5000 })
    .catch(() => {
      throw new Error(`${name}: the page does not show v${VERSION} in its header (#version)`);
    });
  const png = selector
    ? await page.locator(selector).screenshot({ animations: 'disabled', caret: 'hide' })
    : await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' });
  shots.set(name, withTextChunk(png, SCREENSHOT_VERSION_KEY, VERSION));
  console.log(`  ${name}.png`);
}

const waitForState = (page: Page, state: string) => page.waitForSelector(`body[data-state="${state}"]`);

/** The QR code, drawn: waits for its image and returns the string it encodes. */
async function shownQr(page: Page): Promise<string> {
  await waitForState(page, 'qr');
  await page.waitForSelector('#qr[data-qr]');
  await page.waitForFunction(() => {
    const img = document.getElementById('qr') as HTMLImageElement;
    return img.complete && img.naturalWidth > 0;
  });
  return (await page.getAttribute('#qr', 'data-qr'))!;
}

/** Linking, linked with deliveries (light and dark), and a receiver answering 503. */
async function linkAndDeliver(browser: Browser, shots: Shots): Promise<void> {
  const { sim, receiver, page, close } = await openScene(browser, {}, { width: 1024, height: 720 });
  try {
    const qr = await shownQr(page);
    await shoot(page, shots, 'page-pairing');

    await sim.pairWithQr(qr);
    await waitForState(page, 'connected');
    const alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    await sim.sendText(alice, 'Is the front door locked?');
    await sim.sendText(alice, 'And the garage?');
    await receiver.waitForCount(2);
    await page.waitForFunction(() => document.getElementById('count-delivered')!.textContent === '2');
    await page.click('#test-btn');
    await page.waitForSelector('#webhook-result[data-status]');
    await page.waitForSelector('#deliveries-body tr[data-outcome="delivered"] >> text=Test send');
    await shoot(page, shots, 'page-connected');

    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, shots, 'page-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    receiver.respondWith(() => ({ status: 503, headers: { 'Retry-After': '60' } }));
    await sim.sendText(sim.contact({ phone: '4917600000002', pushName: 'Bob' }), 'Are you there?');
    await page.waitForSelector('#webhook-line[data-tone="error"]');
    await page.waitForSelector('#deliveries-body tr[data-outcome="retrying"]');
    await page.waitForFunction(() => /What to do/.test(document.getElementById('webhook-detail')!.textContent ?? ''));
    await shoot(page, shots, 'page-receiver-failing');
  } finally {
    await close();
  }
}

/** Two options a user got wrong: each named on the page, and linking still offered. */
async function optionsToFix(browser: Browser, shots: Shots): Promise<void> {
  const wrong = { webhook_url: 'homeassistant:8123/api/webhook/whatsapp', log_level: 'verbose' };
  const { page, close } = await openScene(browser, wrong, { width: 1024, height: 720 });
  try {
    await page.waitForSelector('#problems:not([hidden])');
    await shownQr(page);
    await shoot(page, shots, 'page-options-invalid');
  } finally {
    await close();
  }
}

/** WhatsApp asking for the account's passkey after the QR code was scanned. */
async function passkeyStep(browser: Browser, shots: Shots): Promise<void> {
  const { sim, page, close } = await openScene(browser, {}, { width: 1024, height: 900 });
  try {
    // Never completes: the scene closes while the step waits for the paste.
    sim.pairWithQr(await shownQr(page), { passkey: { authenticator: new TestAuthenticator() } }).catch(() => undefined);
    await waitForState(page, 'passkey');
    await page.waitForSelector('#passkey-ask:not([hidden])');
    await shoot(page, shots, 'page-passkey');
  } finally {
    await close();
  }
}

/** The Chats card: the groups from WhatsApp and a person who wrote, searched, with a notify_targets entry shown. */
async function chatsCard(browser: Browser, shots: Shots): Promise<void> {
  const { sim, receiver, page, close } = await openScene(browser, {}, { width: 1024, height: 900 });
  try {
    await sim.pairWithQr(await shownQr(page));
    await waitForState(page, 'connected');
    const alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const bob = sim.contact({ phone: '4917600000002', pushName: 'Bob' });
    sim.createGroup({ subject: 'Family', participants: [alice, bob], admins: [alice] }, alice);
    sim.createGroup({ subject: 'Garden club', participants: [bob] }, bob);
    await sim.sendText(alice, 'Is the front door locked?');
    await receiver.waitForCount(1);
    await page.waitForFunction(async () => {
      (document.getElementById('chats-refresh') as HTMLButtonElement).click();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return document.querySelectorAll('#chats-list .chat-row').length === 3;
    });
    await page.click('#chats-list .chat-row >> nth=0 >> .chat-notify');
    await page.waitForSelector('#chats-notify:not([hidden])');
    await shoot(page, shots, 'page-chats', '#chats');
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`Screenshots of WhatsApp Bridge v${VERSION}:`);
  const browser = await launchChromium();
  const shots: Shots = new Map();
  try {
    // One after another: each scene may take the documented API port, and the machine stays responsive.
    for (const scene of [linkAndDeliver, optionsToFix, passkeyStep, chatsCard]) await scene(browser, shots);
  } finally {
    await browser.close();
  }
  const missing = SCREENSHOTS.filter((name) => !shots.has(name));
  if (missing.length > 0 || shots.size !== SCREENSHOTS.length) throw new Error(`made ${[...shots.keys()]}, expected ${SCREENSHOTS}`);
  for (const [name, png] of shots) writeFileSync(`${ROOT}docs/images/${name}.png`, png);
  console.log(`Wrote ${shots.size} images to docs/images in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`Screenshots failed, docs/images left as they were: ${error.message}`);
    process.exit(1);
  },
);
