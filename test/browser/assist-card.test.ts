import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { needsNginx, startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { launchBrowser, needsChromium, watchErrors } from './support/browser.js';
import { FakeApp, baseStatus } from './support/fake-app.js';

const me = {
  jid: '4915123456789@s.whatsapp.net',
  phone: '4915123456789',
  lid: null,
  name: 'Home Assistant',
  paired_at: Date.now() - 86_400_000,
  connected_since: Date.now() - 3_600_000,
};

/** The Assist card in the real page behind nginx, from the status slices the bridge reports. */
describe('the Assist card', { skip: needsChromium || needsNginx }, () => {
  let browser: Browser;
  let fake: FakeApp;
  let proxy: IngressProxy;
  let page: Page;
  let errors: string[];

  before(async () => {
    fake = new FakeApp();
    await fake.start();
    proxy = await startIngressProxy({ upstreamPort: fake.port });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1024, height: 720 } });
    page.setDefaultTimeout(10_000);
    errors = watchErrors(page);
    fake.set(baseStatus({ state: 'connected', me }));
    await page.goto(proxy.url);
    await page.waitForSelector('body[data-state="connected"]');
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await fake?.stop();
  });

  test('off, then the allowed chats and agent, the last answer, and a failure in warning tone', async () => {
    await page.waitForFunction(() =>
      /off \(list who may talk to your home in 'assist_chats'\)/.test(document.getElementById('assist-line')!.textContent ?? ''),
    );
    const assist = { on: true, chats: ['+49 151 2345678', 'Family', 'self'], agent: 'conversation.openai' };
    const answered = { at: Date.now(), chat: 'self', response_type: 'action_done' as const, speech: 'Turned on the kitchen light', error: null };
    fake.set(baseStatus({ state: 'connected', me, assist: { ...assist, last: answered } }), []);
    await page.waitForFunction(() => (document.getElementById('assist-line')!.textContent ?? '').startsWith('on through conversation.openai'));
    assert.equal(await page.textContent('#assist-line'), 'on through conversation.openai · +49 151 2345678, Family, self');
    assert.equal(await page.textContent('#assist-last'), 'Last answer in self (action_done): Turned on the kitchen light');
    assert.equal(await page.getAttribute('#assist-last', 'data-tone'), '');
    const failed = { at: Date.now(), chat: 'Family', response_type: null, speech: null, error: 'Home Assistant answered HTTP 502' };
    fake.set(baseStatus({ state: 'connected', me, assist: { ...assist, last: failed } }), []);
    await page.waitForSelector('#assist-last[data-tone="warn"]');
    assert.equal(await page.textContent('#assist-last'), 'Last question in Family: not answered (Home Assistant answered HTTP 502)');
    assert.deepEqual(errors, []);
  });
});
