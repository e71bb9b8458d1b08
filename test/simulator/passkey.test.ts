import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { aesEncryptGCM, Curve, getBinaryNodeChild, getBinaryNodeChildBuffer, hkdf, proto, S_WHATSAPP_NET, type BinaryNode } from '@whiskeysockets/baileys';
import { TestAuthenticator, WaSimulator, type PasskeyOptions } from '../../simulator/index.js';
import { memoryAuthState, TestClient } from './helpers.js';
import { sleep } from '../../simulator/waits.js';

// The companion's side of docs/passkey-protocol.md, written by hand from the spec over Baileys' public
// API, so the simulator is checked against the spec rather than against its own code.

const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';

function base32(bytes: Uint8Array): string {
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  return bits.replace(/.{5}/g, (chunk) => ALPHABET[parseInt(chunk, 2)]!);
}

/** How a test makes the companion go wrong. */
interface Tweaks {
  /** Assert with this authenticator instead of the account's passkey. */
  authenticator?: TestAuthenticator;
  /** Wait this long before sending the prologue (after fetching the ref). */
  delayMs?: number;
  /** Send another nonce than the one committed to. */
  wrongNonce?: boolean;
  /** The page's origin. */
  origin?: string;
  /** Announce another platform than the one registered. */
  deviceType?: proto.DeviceProps.PlatformType;
  /** Key the handoff proof with the new ADV secret instead of the old one. */
  proofFromNewSecret?: boolean;
  /** Keep the old ADV secret (send it in the pairing request). */
  keepSecret?: boolean;
}

interface CompanionRun {
  /** The options came by iq, not in the notification. */
  fetched: boolean;
  /** The confirmation code the companion computed. */
  code: string;
}

const md = (type: 'get' | 'set', child: BinaryNode): BinaryNode => ({ tag: 'iq', attrs: { to: S_WHATSAPP_NET, xmlns: 'md', type }, content: [child] });
const child = (tag: string, content?: Uint8Array): BinaryNode => ({ tag, attrs: {}, ...(content ? { content } : {}) });

/** Plays the companion: waits for the request, then runs steps 2-9 of the spec; rejects with the first failing query. */
function companion(client: TestClient, authenticator: TestAuthenticator, tweaks: Tweaks = {}): Promise<CompanionRun> {
  const { sock } = client;
  const creds = sock.authState.creds;
  const continuation = new Promise<BinaryNode>((resolve) => sock.ws.once('CB:notification,type:crsc_continuation', resolve));
  return new Promise<BinaryNode>((resolve) => sock.ws.once('CB:notification,type:passkey_prologue_request', resolve)).then(async (request) => {
    // 1. the options, from the notification or by iq
    let optionsNode = getBinaryNodeChild(request, 'passkey_request_options');
    const fetched = !optionsNode;
    if (!optionsNode) optionsNode = getBinaryNodeChild(await sock.query(md('get', child('passkey_request_options'))), 'passkey_request_options');
    const options = Buffer.from(optionsNode!.content as Uint8Array).toString('utf8');
    // 2. the handoff key from the old ADV secret, then a new ADV secret in the creds the socket holds
    const handoffFrom = () => hkdf(Buffer.from(creds.advSecretKey, 'base64'), 32, { info: 'shortcake-passkey-handoff-v1' });
    let handoff = handoffFrom();
    if (!tweaks.keepSecret) creds.advSecretKey = randomBytes(32).toString('base64');
    if (tweaks.proofFromNewSecret) handoff = handoffFrom();
    // 3. the browser's assertion
    const assertion = (tweaks.authenticator ?? authenticator).assert(options, tweaks.origin);
    // 4. the ref
    const ref = Buffer.from(getBinaryNodeChildBuffer(await sock.query(md('get', child('ref'))), 'ref')!).toString('utf8');
    if (tweaks.delayMs) await sleep(tweaks.delayMs);
    // 5. the prologue
    const ephemeral = Curve.generateKeyPair();
    const companionNonce = randomBytes(32);
    const deviceType = tweaks.deviceType ?? proto.DeviceProps.PlatformType.CHROME; // Baileys' default browser tuple
    const identity = proto.CompanionEphemeralIdentity.encode({ publicKey: ephemeral.public, deviceType, ref }).finish();
    const prologue = proto.ProloguePayload.encode({ companionEphemeralIdentity: identity, commitment: { hash: sha256(identity, companionNonce) } }).finish();
    await sock.query(
      md('set', {
        tag: 'passkey_prologue',
        attrs: {},
        content: [
          child('credential_id', Buffer.from(assertion.rawId, 'base64url')),
          child('webauthn_assertion', Buffer.from(JSON.stringify(assertion))),
          child('prologue_payload', prologue),
          child('pairing_handoff_proof', createHmac('sha256', handoff).update(prologue).digest()),
        ],
      }),
    );
    // 6. the phone's ephemeral identity
    const primary = proto.PrimaryEphemeralIdentity.decode(getBinaryNodeChildBuffer(await continuation, 'primary_ephemeral_identity')!);
    // 7. the nonce
    await sock.query(md('set', child('companion_nonce', tweaks.wrongNonce ? randomBytes(32) : companionNonce)));
    // 8. key and code
    const shared = Curve.sharedKey(ephemeral.private, primary.publicKey!);
    const key = hkdf(shared, 32, { salt: Buffer.from(`Companion Pairing ${deviceType} with ref ${ref}`), info: 'Pairing Information Encryption Key' });
    const digest = sha256(companionNonce, primary.publicKey!);
    const code = base32(primary.nonce!.subarray(0, 5).map((b, i) => b ^ digest[i]!));
    // 9. the encrypted pairing request with the new ADV secret
    const plain = proto.PairingRequest.encode({
      companionPublicKey: creds.noiseKey.public,
      companionIdentityKey: creds.signedIdentityKey.public,
      advSecret: Buffer.from(creds.advSecretKey, 'base64'),
    }).finish();
    const iv = randomBytes(12);
    const encryptedPayload = aesEncryptGCM(plain, key, iv, Buffer.alloc(0));
    await sock.query(md('set', child('encrypted_pairing_request', proto.EncryptedPairingRequest.encode({ encryptedPayload, iv }).finish())));
    return { fetched, code: `${code.slice(0, 4)}-${code.slice(4)}` };
  });
}

/** The status code of an iq error Baileys' `query` threw (a Boom with the code in `data`). */
const iqError = (err: unknown) => (err as { data?: number }).data;

async function expectOpen(sim: WaSimulator, auth: ReturnType<typeof memoryAuthState>) {
  const client = TestClient.connect(sim, auth);
  await client.opened();
  await sim.waitForOnline();
  client.end();
}

for (const omitOptions of [false, true]) {
  test(`QR pairing with a passkey${omitOptions ? ', options fetched by iq' : ''}: pair-success with the new ADV secret, then open`, async () => {
    const sim = await WaSimulator.start();
    try {
      const auth = memoryAuthState();
      const authenticator = new TestAuthenticator();
      const pairing = TestClient.connect(sim, auth);
      const qr = await pairing.qr();
      const oldSecret = auth.creds.advSecretKey;
      const run = companion(pairing, authenticator);
      const passkey: PasskeyOptions = { authenticator, omitOptions };
      const [device, { fetched, code }] = await Promise.all([sim.pairWithQr(qr, { passkey }), run]);
      assert.equal(fetched, omitOptions);
      assert.match(code, /^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/);
      assert.equal(sim.passkeyRequest?.confirmationCode, code, 'the phone shows the same code');
      assert.equal(JSON.parse(sim.passkeyRequest!.options).rpId, 'whatsapp.com');
      assert.notEqual(auth.creds.advSecretKey, oldSecret);
      assert.equal(await pairing.closed(), 515);
      assert.equal(auth.creds.me?.id, device.jid);
      assert.equal(
        sim.recorded.iqs.some((iq) => iq.child === 'passkey_request_options'),
        omitOptions,
      );
      await expectOpen(sim, auth);
    } finally {
      await sim.stop();
    }
  });
}

test('pairing code with a passkey: the old ADV secret is the one of the code exchange', async () => {
  const sim = await WaSimulator.start();
  try {
    const auth = memoryAuthState();
    const authenticator = new TestAuthenticator();
    const pairing = TestClient.connect(sim, auth);
    await pairing.qr();
    const code = await pairing.sock.requestPairingCode(sim.account.phone);
    const [device] = await Promise.all([sim.pairWithCode(code, { passkey: { authenticator } }), companion(pairing, authenticator)]);
    assert.equal(await pairing.closed(), 515);
    assert.equal(auth.creds.me?.id, device.jid);
    await expectOpen(sim, auth);
  } finally {
    await sim.stop();
  }
});

/** Starts a QR pairing with a passkey step whose companion misbehaves; resolves with what each side saw. */
async function failingCeremony(passkey: Omit<PasskeyOptions, 'authenticator'>, tweaks: Tweaks) {
  const sim = await WaSimulator.start();
  try {
    const authenticator = new TestAuthenticator();
    const pairing = TestClient.connect(sim, memoryAuthState());
    const qr = await pairing.qr();
    const [simSide, clientSide] = await Promise.allSettled([
      sim.pairWithQr(qr, { passkey: { authenticator, ...passkey } }),
      companion(pairing, authenticator, tweaks),
    ]);
    assert.equal(simSide.status, 'rejected', 'the simulator must not pair');
    assert.deepEqual(sim.devices, []);
    const closed = passkey.refuse ? await pairing.closed() : undefined;
    pairing.end();
    return {
      sim: (simSide as PromiseRejectedResult).reason as Error,
      client: clientSide.status === 'rejected' ? (clientSide.reason as unknown) : undefined,
      closed,
    };
  } finally {
    await sim.stop();
  }
}

test('an assertion by another passkey gets 401', async () => {
  const { sim, client } = await failingCeremony({}, { authenticator: new TestAuthenticator() });
  assert.equal(iqError(client), 401);
  assert.match(sim.message, /passkey_prologue: the assertion does not verify: unknown credential/);
});

test('an assertion sent after the challenge expired gets 408', async () => {
  const { sim, client } = await failingCeremony({ timeoutMs: 200 }, { delayMs: 300 });
  assert.equal(iqError(client), 408);
  assert.match(sim.message, /challenge expired \(timeout 200 ms\) while waiting for passkey_prologue/);
});

test('a companion nonce that does not open the commitment fails', async () => {
  const { sim, client } = await failingCeremony({}, { wrongNonce: true });
  assert.equal(iqError(client), 401);
  assert.match(sim.message, /companion_nonce: .* is not the commitment/);
});

const wrongSteps: [string, Tweaks, number, RegExp][] = [
  ['an assertion from another origin', { origin: 'https://evil.example' }, 401, /origin is https:\/\/evil.example/],
  ['a handoff proof keyed with the new ADV secret', { proofFromNewSecret: true }, 401, /pairing_handoff_proof is not HMAC/],
  ['another deviceType than registered', { deviceType: proto.DeviceProps.PlatformType.FIREFOX }, 400, /deviceType 2 is not the platform/],
  ['the old ADV secret in the pairing request', { keepSecret: true }, 400, /advSecret is the old ADV secret/],
];

for (const [what, tweaks, code, message] of wrongSteps) {
  test(`${what} gets ${code}`, async () => {
    const { sim, client } = await failingCeremony({}, tweaks);
    assert.equal(iqError(client), code);
    assert.match(sim.message, message);
  });
}

test("the phone's refusal ends the stream with 401 and pairs nothing", async () => {
  const { sim, client, closed } = await failingCeremony({ refuse: 'phone' }, {});
  assert.equal(client, undefined, 'every step of the client was accepted');
  assert.match(sim.message, /the phone refused/);
  assert.equal(closed, 401);
});

test('TestAuthenticator: clientDataJSON, authenticatorData and a DER signature as a browser gives them', () => {
  const authenticator = new TestAuthenticator();
  const options = JSON.stringify({ challenge: 'Y2hhbGxlbmdl', rpId: 'whatsapp.com', timeout: 1, allowCredentials: [], userVerification: 'required' });
  const assertion = authenticator.assert(options);
  assert.equal(assertion.type, 'public-key');
  assert.equal(assertion.id, authenticator.credentialId.toString('base64url'));
  assert.deepEqual(JSON.parse(Buffer.from(assertion.response.clientDataJSON, 'base64url').toString()), {
    type: 'webauthn.get',
    challenge: 'Y2hhbGxlbmdl',
    origin: 'https://web.whatsapp.com',
    crossOrigin: false,
  });
  const authData = Buffer.from(assertion.response.authenticatorData, 'base64url');
  assert.deepEqual(authData.subarray(0, 32), sha256(Buffer.from('whatsapp.com')));
  assert.equal(authData[32], 0x05);
  assert.equal(authData.readUInt32BE(33), 1);
  assert.equal(Buffer.from(assertion.response.signature, 'base64url')[0], 0x30, 'DER sequence');
});
