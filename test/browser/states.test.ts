import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { DeliveryAttempt } from '../../src/bus-events.js';
import { needsNginx, startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { launchBrowser, needsChromium, screenshot, watchErrors } from './support/browser.js';
import { FakeApp, baseStatus } from './support/fake-app.js';

/**
 * The failure states that a simulator run cannot reach quickly (403, a paused receiver, the app
 * restarting...): the real ingress server and page behind nginx, with scripted status answers.
 */

const me = {
  jid: '4915123456789@s.whatsapp.net',
  phone: '4915123456789',
  lid: null,
  name: 'Home Assistant',
  paired_at: Date.now() - 86_400_000,
  connected_since: Date.now() - 3_600_000,
};

describe('failure states, each with what to do', { skip: needsChromium || needsNginx }, () => {
  let browser: Browser;
  let fake: FakeApp;
  let proxy: IngressProxy;
  let page: Page;
  let errors: string[];
  const requested: string[] = [];

  before(async () => {
    fake = new FakeApp();
    await fake.start();
    proxy = await startIngressProxy({ upstreamPort: fake.port });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1024, height: 720 } });
    page.setDefaultTimeout(10_000);
    errors = watchErrors(page);
    page.on('request', (r) => requested.push(r.url()));
    fake.set(baseStatus({ state: 'connected', me }));
    await page.goto(proxy.url);
    await page.waitForSelector('body[data-state="connected"]');
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await fake?.stop();
  });

  test('WhatsApp unreachable: the reason and a live countdown to the next attempt', async () => {
    fake.set(
      baseStatus({
        state: 'reconnecting',
        me,
        last_disconnect: { code: 408, reason: 'connection timed out or lost', at: Date.now() },
        next_reconnect_at: Date.now() + 9_000,
      }),
    );
    await page.waitForSelector('body[data-state="reconnecting"]');
    assert.match((await page.textContent('#state-detail')) ?? '', /connection timed out or lost \(code 408\).*internet connection/s);
    const seconds = async () => Number(/Next attempt in (\d+) s/.exec((await page.textContent('#countdown-line')) ?? '')?.[1]);
    const first = await seconds();
    assert.ok(first >= 1 && first <= 9, `countdown ${first}`);
    await page.waitForFunction((n) => Number(/in (\d+) s/.exec(document.getElementById('countdown-line')!.textContent ?? '')?.[1]) < n, first);
    await screenshot(page, '10-reconnecting');
  });

  test('banned (403): says what to do and offers "Try again"', async () => {
    fake.set(baseStatus({ state: 'banned', me, last_disconnect: { code: 403, reason: 'WhatsApp refused this account (403 forbidden)', at: Date.now() } }));
    await page.waitForSelector('body[data-state="banned"]');
    assert.equal(await page.textContent('#state-pill'), 'Refused by WhatsApp');
    assert.match((await page.textContent('#state-detail')) ?? '', /403.*What to do/s);
    assert.equal(await page.textContent('#reconnect-btn'), 'Try again');
    await page.click('#reconnect-btn');
    await page.waitForFunction(() => !(document.getElementById('reconnect-btn') as HTMLButtonElement).disabled);
    assert.deepEqual(fake.posts.at(-1), { path: 'reconnect', body: {} });
    await screenshot(page, '11-banned');
  });

  test('webhook not configured: says which options to set', async () => {
    fake.set(baseStatus({ state: 'connected', me, webhook: { ...baseStatus().webhook, state: 'off', enabled: false, url_host: null } }), []);
    await page.waitForSelector('#webhook-line[data-tone="warn"]');
    assert.equal(await page.textContent('#webhook-text'), 'Not forwarding: the webhook is off.');
    assert.match((await page.textContent('#webhook-detail')) ?? '', /webhook_url.*webhook_enabled/s);
    assert.equal(await page.isHidden('#test-btn'), true);
    assert.equal(await page.isHidden('#counters'), true);
  });

  test('receiver paused (410) with dead deliveries: "Retry dead deliveries" re-queues them', async () => {
    const counters = { delivered: 40, queued: 2, retrying: 0, dead: 3, oldest_queued_age_s: 4000 };
    const dead = {
      destination: 'webhook' as const,
      at: Date.now(),
      messageId: 'DEAD1',
      chat: '4917600000001@s.whatsapp.net',
      attempt: 1,
      status: 410,
      error: 'HTTP 410',
      durationMs: 9,
      outcome: 'paused' as const,
    };
    fake.set(baseStatus({ state: 'connected', me, webhook: { ...baseStatus().webhook, paused: 'homeassistant:8123 answered 410 Gone', counters } }), [dead]);
    await page.waitForSelector('#webhook-line[data-tone="error"]');
    assert.equal(await page.textContent('#webhook-text'), 'Delivery paused.');
    assert.match((await page.textContent('#webhook-detail')) ?? '', /410 Gone.*Retry dead deliveries/s);
    assert.equal(await page.textContent('#count-oldest'), '1.1 h');
    await page.waitForSelector('#deliveries-body tr[data-outcome="paused"]');
    await screenshot(page, '12-paused');
    await page.click('#retry-btn');
    await page.waitForFunction(() => /Re-queued 3 deliveries/.test(document.getElementById('deliveries-result')!.textContent ?? ''));
    assert.deepEqual(fake.posts.at(-1), { path: 'deliveries/retry-dead', body: {} });
  });

  test('a dead Home Assistant event is listed with its destination; "Retry dead deliveries" re-queues it', async () => {
    const haEvents = { enabled: true, paused: null, delivered: 12, queued: 0, dead: 1 };
    const chat = '4917600000002@s.whatsapp.net';
    const attempts: DeliveryAttempt[] = [
      { destination: 'ha_event', at: Date.now(), messageId: 'HADEAD1', chat, attempt: 8, status: 500, error: 'HTTP 500', durationMs: 21, outcome: 'dead' },
      { destination: 'webhook', at: Date.now() - 1000, messageId: 'HADEAD1', chat, attempt: 1, status: 200, error: null, durationMs: 14, outcome: 'delivered' },
    ];
    fake.set(baseStatus({ state: 'connected', me, ha_events: haEvents }), attempts);
    const row = await page.waitForSelector('#deliveries-body tr[data-destination="ha_event"][data-outcome="dead"]');
    const cells = await row.$$eval('td', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(cells.slice(1, 5), ['Home Assistant', '+4917600000002', 'dead', '500']);
    assert.equal(await page.textContent('#deliveries-body tr[data-destination="webhook"] td:nth-child(2)'), 'Webhook');
    // The event's failure is Home Assistant's: the webhook, whose latest attempt worked, stays fine.
    await page.waitForSelector('#webhook-line[data-tone="ok"]');
    assert.match((await page.textContent('#ha-events')) ?? '', /12 delivered.*1 dead/);
    assert.equal(await page.isVisible('#retry-btn'), true);
    await screenshot(page, '15-ha-event-dead');
    await page.click('#retry-btn');
    await page.waitForFunction(() => /Re-queued 1 delivery;/.test(document.getElementById('deliveries-result')!.textContent ?? ''));
    assert.deepEqual(fake.posts.at(-1), { path: 'deliveries/retry-dead', body: {} });
    fake.set(baseStatus({ state: 'connected', me, ha_events: { ...haEvents, queued: 1, dead: 0 } }));
    await page.waitForSelector('#retry-btn', { state: 'hidden' });
  });

  test('received media: files and size in the folder, and a full disk says what to do', async () => {
    const media = { download: true, folder: '/media/whatsapp', files: 12, bytes: 3.4 * 1024 * 1024, pending: 1, last_error: null };
    fake.set(baseStatus({ state: 'connected', me, media }), []);
    await page.waitForFunction(() => /12 files, 3\.4 MB in \/media\/whatsapp, 1 downloading/.test(document.getElementById('media-line')!.textContent ?? ''));
    fake.set(baseStatus({ state: 'connected', me, media: { ...media, pending: 0, last_error: 'disk full: no space left in the media folder' } }), []);
    await page.waitForSelector('#media-line[data-tone="warn"]');
    assert.match(
      (await page.textContent('#media-line')) ?? '',
      /last problem: disk full: no space left in the media folder \(free space in \/media\/whatsapp or check the folder\)/,
    );
    fake.set(baseStatus({ state: 'connected', me, media: { ...media, download: false } }), []);
    await page.waitForFunction(() => /'media_download' is off/.test(document.getElementById('media-line')!.textContent ?? ''));
  });

  test('voice notes as text: off, the entity, and its last problem', async () => {
    fake.set(baseStatus({ state: 'connected', me }), []);
    await page.waitForFunction(() => /off \(set 'voice_to_text'/.test(document.getElementById('voice-line')!.textContent ?? ''));
    fake.set(baseStatus({ state: 'connected', me, voice_to_text: { entity: 'stt.faster_whisper', last_error: null } }), []);
    await page.waitForFunction(() => document.getElementById('voice-line')!.textContent === 'stt.faster_whisper');
    assert.equal(await page.getAttribute('#voice-line', 'data-tone'), '');
    const error = 'speech-to-text took longer than 60 s';
    fake.set(baseStatus({ state: 'connected', me, voice_to_text: { entity: 'stt.faster_whisper', last_error: error } }), []);
    await page.waitForSelector('#voice-line[data-tone="warn"]');
    assert.equal(await page.textContent('#voice-line'), `stt.faster_whisper · last problem: ${error}`);
  });

  test('a failed test send shows the error the bridge got', async () => {
    fake.set(baseStatus({ state: 'connected', me }), []);
    fake.testResult = { delivered: false, status: null, error: 'connect ECONNREFUSED 10.0.0.5:8123', durationMs: 3 };
    await page.waitForSelector('#retry-btn', { state: 'hidden' });
    await page.click('#test-btn');
    await page.waitForSelector('#webhook-result[data-tone="error"]');
    assert.equal(await page.textContent('#webhook-result'), 'Test failed: connect ECONNREFUSED 10.0.0.5:8123 (after 3 ms).');
  });

  test('the app restarting: a "reconnecting to the app" note, gone once the stream is back', async () => {
    await fake.stop();
    await page.waitForSelector('#stream-note:not([hidden])');
    await screenshot(page, '13-stream-down');
    fake.set(baseStatus({ state: 'qr', qr: '2@restarted,abc,def', qr_expires_at: Date.now() + 60_000, pairing_code: 'WXYZ9876' }));
    await fake.start();
    await page.waitForSelector('body[data-state="qr"]');
    await page.waitForSelector('#stream-note', { state: 'hidden' });
    // A pairing code under way (e.g. asked for before a reload) is shown grouped 4-4.
    assert.equal(await page.textContent('#pairing-code'), 'WXYZ-9876');
  });

  test('keyboard and screen readers: labelled inputs, visible focus, a live region for the state', async () => {
    const unlabelled = await page.$$eval('input, select, textarea', (els) =>
      els.filter((el) => (el as HTMLInputElement).labels?.length === 0).map((el) => el.id),
    );
    assert.deepEqual(unlabelled, []);
    // The code under way opened "Link with a phone number instead"; Enter on its summary toggles it.
    assert.equal(await page.$eval('#phone-link', (d) => (d as HTMLDetailsElement).open), true);
    await page.focus('#phone-link summary');
    await page.keyboard.press('Enter');
    assert.equal(await page.$eval('#phone-link', (d) => (d as HTMLDetailsElement).open), false);
    await page.keyboard.press('Enter');
    assert.equal(await page.$eval('#phone-link', (d) => (d as HTMLDetailsElement).open), true);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pairing-phone');
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { id: el.id, outline: style.outlineStyle, width: style.outlineWidth };
    });
    assert.deepEqual(focus, { id: 'pairing-submit', outline: 'solid', width: '2px' });
    assert.equal(await page.getAttribute('#state-live', 'aria-live'), 'polite');
  });

  test('on a phone: one column, nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    fake.set(baseStatus({ state: 'connected', me }), []);
    await page.waitForSelector('body[data-state="connected"]');
    const layout = await page.evaluate(() => ({
      whatsapp: document.getElementById('whatsapp')!.getBoundingClientRect().left,
      webhook: document.getElementById('webhook')!.getBoundingClientRect().left,
      scrollWidth: document.documentElement.scrollWidth,
    }));
    assert.equal(layout.whatsapp, layout.webhook, 'cards stacked');
    assert.ok(layout.scrollWidth <= 390, `page is ${layout.scrollWidth}px wide`);
    await screenshot(page, '14-phone');
  });

  test('text a contact chose (a chat id, a file name in a media error) with HTML shows as text, never as markup', async () => {
    const markup = '<img src=x onerror="document.body.dataset.pwned=1"><b>bold</b>';
    const attempt: DeliveryAttempt = {
      destination: 'webhook',
      at: Date.now(),
      messageId: `3EB0${markup}`,
      chat: `${markup}@broadcast`,
      attempt: 1,
      status: null,
      error: `receiver said ${markup}`,
      durationMs: 5,
      outcome: 'retrying',
    };
    const media = { ...baseStatus().media, last_error: `could not save ${markup}.pdf` };
    fake.set(baseStatus({ state: 'connected', me: { ...me, name: markup }, media }), [attempt]);
    const row = await page.waitForSelector('#deliveries-body tr[data-outcome="retrying"]');
    assert.equal(await row.getAttribute('data-message-id'), `3EB0${markup}`);
    assert.equal(await row.$eval('td:nth-child(3)', (td) => td.textContent), `${markup}@broadcast`);
    await page.waitForFunction((m) => (document.getElementById('media-line')!.textContent ?? '').includes(`could not save ${m}.pdf`), markup);
    assert.equal(await page.locator('main img[src="x"], main b').count(), 0, 'no element made from the text');
    assert.equal(await page.getAttribute('body', 'data-pwned'), null, 'no script ran');
  });

  test('every request stayed under the ingress prefix, and nothing failed', () => {
    const outside = requested.filter((url) => !url.startsWith(proxy.url) && !url.startsWith('data:'));
    assert.deepEqual(outside, []);
    // The stream outage above makes the browser log the failed reconnects (502 from the proxy).
    assert.deepEqual(
      errors.filter((e) => !/502|ERR_/.test(e)),
      [],
    );
  });
});
