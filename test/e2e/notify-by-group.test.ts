// A notify target naming a group by its subject (`group:` instead of `to:`), through the real
// stack: mosquitto -> the daemon -> real Baileys -> the simulated group's members.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WaSimulator, type Group } from '../../simulator/index.js';
import type { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { needsMosquitto, Recorder, TestBroker } from '../../simulator/harness/mosquitto.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { until } from '../../simulator/waits.js';
import type { ChatsAnswer } from '../../src/directory/chat-list.js';
import { TOPICS } from '../../src/mqtt/discovery.js';
import { pairedDaemon } from '../support/paired-bridge.js';

describe('notify_targets by group name', { skip: needsMosquitto }, () => {
  let broker: TestBroker;
  let ha: Recorder;
  let sim: WaSimulator;
  let receiver: TestReceiver;
  let daemon: BridgeProcess;
  let family: Group;

  before(async () => {
    broker = await TestBroker.start({ persistent: true });
    ha = await Recorder.on(broker, 'whatsapp_bridge/#', 'homeassistant/#');
    sim = await WaSimulator.start();
    receiver = await TestReceiver.start();
    const alice = sim.contact({ phone: '4917600000501', pushName: 'Alice' });
    family = sim.group({ subject: 'Family', participants: [alice] });
    const notify_targets = [
      { name: 'Family', group: 'family' },
      { name: 'Nobody', group: 'Famly club' },
    ];
    daemon = await pairedDaemon({ sim, receiver, options: { ...broker.options(), notify_targets, send_interval: 0 } });
    // The page's route: the group is in the directory once the first fetch answered.
    await until('the group in the directory', async () => {
      const answer = (await (await fetch(`${daemon.ingressUrl}api/chats`)).json()) as ChatsAnswer;
      return answer.chats.some((c) => c.jid === family.jid) || undefined;
    });
    // Discovery follows the link's subscriptions: once the entity's config is out, commands are heard.
    await until('the notify entity', () => ha.messages.some((m) => m.topic.endsWith('_notify_family/config')) || undefined);
  });
  after(async () => {
    await daemon?.kill('SIGTERM');
    await sim?.stop();
    await receiver?.close();
    await ha?.close();
    await broker?.stop();
  });

  test('notify.whatsapp_family sends to the group of that subject, looked up at send time', async () => {
    const outgoing = sim.waitForOutgoing((m) => m.to === family.jid, 15_000);
    await ha.client.publishAsync(TOPICS.notify('family'), 'The garage is open', { qos: 1 });
    const message = await outgoing;
    assert.equal(message.message.conversation ?? message.message.extendedTextMessage?.text, 'The garage is open');
  });

  test('a name no group has: nothing sent, a warning naming the target and the closest subject', async () => {
    await ha.client.publishAsync(TOPICS.notify('nobody'), 'hello?', { qos: 1 });
    await daemon.waitForLog(/notify\.whatsapp_nobody: not sent: This account is in no group named "Famly club"\. The closest: "Family"/);
  });
});
