import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { signatureHeaders } from '../src/destinations/webhook/signature.js';

test('Standard Webhooks signature with a whsec_ secret uses the base64-decoded key', () => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef');
  const secret = `whsec_${key.toString('base64')}`;
  const body = '{"a":1}';
  const h = signatureHeaders(secret, 'msg_1', 1700000000, body);
  assert.equal(h['webhook-signature'], `v1,${createHmac('sha256', key).update(`msg_1.1700000000.${body}`).digest('base64')}`);
  assert.equal(h['X-Webhook-Signature'], `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
});

test('a plain secret is used as UTF-8 bytes for both signatures', () => {
  const h = signatureHeaders('päss', 'id', 1, 'x');
  assert.equal(h['webhook-signature'], `v1,${createHmac('sha256', Buffer.from('päss', 'utf8')).update('id.1.x').digest('base64')}`);
  assert.equal(h['X-Webhook-Signature'], `sha256=${createHmac('sha256', 'päss').update('x').digest('hex')}`);
});
