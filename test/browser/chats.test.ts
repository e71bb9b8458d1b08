import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Contact, Group } from '../../simulator/index.js';
import { until } from '../../simulator/waits.js';
import type { ChatsAnswer } from '../../src/directory/chat-list.js';
import { needsNginx, startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';
import { launchBrowser, needsChromium, screenshot, watchErrors } from './support/browser.js';

/**
 * The Chats card as a user gets it: the real bridge paired with the simulator, its groups
 * fetched from it, a contact who wrote, nginx in front as Home Assistant's ingress, Chromium.
 */
describe('the Chats card behind the ingress proxy', { skip: needsChromium || needsNginx }, () => {
  let browser: Browser;
  let s: BridgeWithReceiver;
  let proxy: IngressProxy;
  let page: Page;
  let errors: string[];
  let family: Group;
  let garden: Group;
  let mallory: Contact;

  before(async () => {
    browser = await launchBrowser();
    s = await pairedBridge({});
    const alice = s.sim.contact({ phone: '4917600000401', pushName: 'Alice' });
    // A push name is the contact's own text: it must show as text, never as markup.
    mallory = s.sim.contact({ phone: '4917600000402', pushName: '<img src=x onerror=alert(1)> Mallory' });
    family = s.sim.createGroup({ subject: 'Family: "home"', participants: [alice, mallory], admins: [alice] }, alice);
    garden = s.sim.createGroup({ subject: 'Garden club', participants: [alice] }, alice);
    const sent = await s.sim.sendText(mallory, 'hi');
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === sent.id));
    proxy = await startIngressProxy({ upstreamPort: s.bridge.ingressPort });
    // The page is opened once the directory has both groups (Baileys may hold group events while it syncs).
    await until(
      'both groups in the directory',
      async () => ((await (await fetch(`${proxy.url}api/chats`)).json()) as ChatsAnswer).total === 3 || undefined,
      20_000,
    );
    page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(proxy.url).origin });
    errors = watchErrors(page);
    assert.equal((await page.goto(proxy.url))?.status(), 200);
  });

  after(async () => {
    await page?.close();
    await browser?.close();
    await proxy?.stop();
    await s?.close();
  });

  const rows = () => page.$$eval('#chats-list .chat-row', (lis) => lis.map((li) => (li as HTMLElement).dataset.jid));

  test('lists the groups and the contact; search narrows it down; a push name stays text', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#chats-list .chat-row').length === 3);
    assert.deepEqual(await rows(), [family.jid, garden.jid, mallory.jid], 'groups first, each by name');
    assert.match((await page.textContent(`#chats-list .chat-row[data-jid="${family.jid}"]`)) ?? '', /group · 3 members · you are an admin/);
    const malloryName = await page.textContent(`#chats-list .chat-row[data-jid="${mallory.jid}"] .chat-name`);
    assert.equal(malloryName, '<img src=x onerror=alert(1)> Mallory');
    assert.equal(await page.$('#chats-list img'), null, 'no element made from a push name');

    await page.fill('#chats-search', 'garden');
    await page.waitForFunction(() => document.querySelectorAll('#chats-list .chat-row').length === 1);
    assert.equal(await page.textContent('#chats-list .chat-name'), 'Garden club');
    await page.fill('#chats-search', 'family');
    await page.waitForFunction((jid) => document.querySelector('#chats-list .chat-row')?.getAttribute('data-jid') === jid, family.jid);
    assert.match((await page.textContent('#chats-more')) ?? '', /^1 chat\.$/);
    await screenshot(page, 'chats-card');
  });

  test('Copy puts the JID on the clipboard; "Use as notify target" shows the notify_targets entry', async () => {
    const row = `#chats-list .chat-row[data-jid="${family.jid}"]`;
    await page.click(`${row} .chat-copy`);
    await page.waitForFunction(() => document.getElementById('chats-result')?.textContent === 'JID copied.');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), family.jid);

    await page.click(`${row} .chat-notify`);
    await page.waitForSelector('#chats-notify:not([hidden])');
    assert.equal(await page.inputValue('#chats-notify'), `- name: family_home\n  to: "${family.jid}"`);
    assert.match((await page.textContent('#chats-result')) ?? '', /notify_targets/);
    assert.deepEqual(errors, []);
  });
});
