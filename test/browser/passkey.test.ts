import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TestAuthenticator, type WaSimulator } from '../../simulator/index.js';
import type { TestReceiver } from '../../simulator/harness/receiver.js';
import type { InProcessBridge } from '../support/bridge-harness.js';
import { needsNginx, startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { bridgeWithReceiver } from '../support/paired-bridge.js';
import { FakeApp, baseStatus } from './support/fake-app.js';
import { launchBrowser, needsChromium, screenshot, watchErrors } from './support/browser.js';

/**
 * The page's passkey step as the user goes through it: the real bridge and simulator behind
 * nginx, the page in Chromium, and a second tab on "https://web.whatsapp.com" (served by the
 * test) where the snippet copied from the page runs against Chromium's virtual authenticator
 * holding the simulator account's passkey.
 */

const VIEWPORT = { width: 1024, height: 900 };
const waitForState = (page: Page, state: string) => page.waitForSelector(`body[data-state="${state}"]`);

/** A web.whatsapp.com tab whose browser holds `authenticator`'s passkey (CDP's virtual authenticator). */
async function whatsappWebTab(browser: Browser, authenticator: TestAuthenticator): Promise<Page> {
  const tab = await browser.newPage();
  await tab.route('https://web.whatsapp.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>WhatsApp Web</title><p>WhatsApp Web (test)</p>' }),
  );
  await tab.goto('https://web.whatsapp.com/');
  const cdp = await tab.context().newCDPSession(tab);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  // The same key the simulated server knows (a test's look at the authenticator's private field).
  const privateKey = (authenticator as unknown as { privateKey: KeyObject }).privateKey.export({ format: 'der', type: 'pkcs8' });
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: authenticator.credentialId.toString('base64'),
      isResidentCredential: true,
      rpId: 'whatsapp.com',
      privateKey: privateKey.toString('base64'),
      userHandle: authenticator.userHandle.toString('base64'),
      signCount: 0,
    },
  });
  return tab;
}

/** Runs the snippet as the user would in the console; returns what its prompt shows to copy. */
async function runSnippet(tab: Page, snippet: string): Promise<string> {
  const shown = new Promise<string>((resolve) =>
    tab.once('dialog', (dialog) => {
      resolve(dialog.defaultValue() || dialog.message());
      void dialog.accept();
    }),
  );
  await tab.evaluate(snippet);
  return shown;
}

describe('the passkey step on the page', { skip: needsChromium || needsNginx }, () => {
  let browser: Browser;
  let sim: WaSimulator;
  let receiver: TestReceiver;
  let app: InProcessBridge;
  let proxy: IngressProxy;
  let page: Page;
  let errors: string[];
  const authenticator = new TestAuthenticator();

  before(async () => {
    browser = await launchBrowser();
    ({ sim, receiver, bridge: app } = await bridgeWithReceiver({ simulator: { account: { phone: '4915123456789', pushName: 'Home Assistant' } } }));
    proxy = await startIngressProxy({ upstreamPort: app.ingressPort });
    page = await browser.newPage({ viewport: VIEWPORT });
    page.setDefaultTimeout(15_000);
    errors = watchErrors(page);
    await page.goto(proxy.url);
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await app?.stop();
    await sim?.stop();
    await receiver?.close();
  });

  /** The phone scans the QR on the page and WhatsApp asks for the passkey. */
  async function scan(): Promise<{ paired: Promise<unknown> }> {
    await waitForState(page, 'qr');
    await page.waitForSelector('#qr[data-qr]');
    const paired = sim.pairWithQr((await page.getAttribute('#qr', 'data-qr'))!, { passkey: { authenticator } });
    paired.catch(() => undefined);
    await waitForState(page, 'passkey');
    await page.waitForSelector('#passkey-ask:not([hidden])');
    return { paired }; // (not the promise itself: an async function would wait for it)
  }

  test('a result WhatsApp refuses: the page says why and offers "Try again", which brings a new QR', async () => {
    await scan();
    const options = JSON.stringify(await page.evaluate(async () => (await (await fetch('api/status')).json()).passkey.request_options));
    await page.fill('#passkey-result', JSON.stringify(new TestAuthenticator().assert(options)));
    await page.click('#passkey-submit');
    await page.waitForSelector('#passkey-failed:not([hidden])');
    assert.match((await page.textContent('#passkey-failure')) ?? '', /did not accept this passkey/);
    assert.equal(await page.textContent('#state-pill'), 'Not linked');
    await screenshot(page, '20-passkey-failed');
    await page.click('#passkey-retry');
    await waitForState(page, 'qr');
  });

  test('shows the three steps with a snippet that, run on web.whatsapp.com, gives the result to paste; then the code', async () => {
    const { paired } = await scan();
    assert.equal(await page.textContent('#state-pill'), 'Passkey needed');
    assert.equal(await page.isHidden('#pairing'), true, 'no QR while the step waits');
    assert.match((await page.textContent('#passkey-countdown')) ?? '', /Time left: (9|10):\d\d/);
    const snippet = await page.inputValue('#passkey-snippet');
    assert.ok(snippet.includes(JSON.parse(sim.passkeyRequest!.options).challenge), 'the snippet carries the challenge');
    assert.match((await page.getAttribute('#passkey-bookmarklet', 'href')) ?? '', /^javascript:/);
    await screenshot(page, '21-passkey');

    // A wrong paste: the one line from the app, and the step still waits.
    await page.fill('#passkey-result', 'not the result');
    await page.click('#passkey-submit');
    await page.waitForFunction(() => /starts with \{/.test(document.getElementById('passkey-error')!.textContent ?? ''));

    const tab = await whatsappWebTab(browser, authenticator);
    const result = await runSnippet(tab, snippet);
    await tab.close();
    assert.equal(JSON.parse(result).type, 'public-key');
    await page.fill('#passkey-result', result);
    await page.click('#passkey-submit');
    await paired;
    await waitForState(page, 'connected');
    assert.equal(await page.textContent('#account-phone'), '+4915123456789');
  });

  test('the page logged no errors (besides the refusals the tests asked for)', () => {
    assert.deepEqual(
      errors.filter((e) => !/Failed to load resource: .* status of (400|422)/.test(e)),
      [],
    );
  });
});

describe('the confirmation code', { skip: needsChromium || needsNginx }, () => {
  let browser: Browser;
  let fake: FakeApp;
  let proxy: IngressProxy;

  before(async () => {
    browser = await launchBrowser();
    fake = new FakeApp();
    await fake.start();
    proxy = await startIngressProxy({ upstreamPort: fake.port });
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await fake?.stop();
  });

  // Between the continuation and pair-success the simulator's phone takes milliseconds: scripted here.
  test('is shown to compare with the phone while the phone finishes the link', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    try {
      const request_options = { challenge: 'Y2hhbGxlbmdl', timeout: 600000, rpId: 'whatsapp.com', allowCredentials: [], userVerification: 'required' };
      const passkey = { phase: 'confirming' as const, request_options, expires_at: Date.now() + 500_000, confirmation_code: 'ABCD-2345', error: null };
      fake.set(baseStatus({ state: 'passkey', passkey }));
      await page.goto(proxy.url);
      await page.waitForSelector('#passkey-confirm:not([hidden])');
      assert.equal(await page.textContent('#passkey-code'), 'ABCD-2345');
      assert.match((await page.textContent('#passkey-confirm')) ?? '', /Compare this code with the one on your phone/);
      assert.equal(await page.isHidden('#passkey-ask'), true);
      await screenshot(page, '22-passkey-code');
    } finally {
      await page.close();
    }
  });
});
