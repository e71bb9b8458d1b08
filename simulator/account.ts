import { Curve, generateSignalPubKey, type BinaryNode, type KeyPair, proto, type SignalRepository } from '@whiskeysockets/baileys';
import type { AccountInfo } from './types.js';

/** A device's signed prekey as uploaded by the client. */
export interface SignedPreKey {
  keyId: number;
  publicKey: Uint8Array;
  signature: Uint8Array;
}

/** A device's prekey bundle as a sender starts a Signal session from it (keys with the 0x05 type prefix). */
export type PreKeyBundle = Parameters<SignalRepository['injectE2ESession']>[0]['session'];

/** What a client announced in `ClientPayload.devicePairingData` when it asked to be paired. */
export interface Registration {
  readonly noiseKey: Buffer;
  readonly registrationId: number;
  readonly identityKey: Uint8Array;
  readonly signedPreKey: SignedPreKey;
  /** `DeviceProps.platformType` it registered with (the passkey step's `deviceType` must match). */
  readonly platformType: number | undefined;
}

/** Reads the registration bundle of a connecting new device. */
export function registrationFrom(data: proto.ClientPayload.IDevicePairingRegistrationData, noiseKey: Buffer): Registration {
  const { eRegid, eIdent, eSkeyId, eSkeyVal, eSkeySig } = data;
  if (!eRegid || !eIdent || !eSkeyId || !eSkeyVal || !eSkeySig) throw new Error('incomplete devicePairingData');
  return {
    noiseKey,
    registrationId: Buffer.from(eRegid).readUInt32BE(0),
    identityKey: eIdent,
    signedPreKey: { keyId: Buffer.from(eSkeyId).readUIntBE(0, 3), publicKey: eSkeyVal, signature: eSkeySig },
    platformType: data.deviceProps ? (proto.DeviceProps.decode(data.deviceProps).platformType ?? undefined) : undefined,
  };
}

/**
 * A companion device paired with the account, as the server knows it: its keys, the one-time
 * prekeys it uploaded and not yet handed out, and the messages it has not acknowledged yet.
 */
export class Device {
  /** e.g. `491700000000:1@s.whatsapp.net` */
  readonly jid: string;
  /** e.g. `100000000000000:1@lid` */
  readonly lidJid: string;
  readonly registrationId: number;
  readonly identityKey: Uint8Array;
  readonly noiseKey: Buffer;
  signedPreKey: SignedPreKey;
  /** One-time prekeys uploaded by the client; each is handed out once, like WhatsApp does. */
  readonly preKeys = new Map<number, Uint8Array>();
  /** Stanzas sent (or waiting) for this device, in order, until the client acks or receipts them. */
  readonly unacked = new Map<string, BinaryNode>();
  /** The phone owes this device its initial history sync until the client receipts one. */
  historySyncDue = true;
  /** Id of the last history sync notification sent to this device. */
  historySyncId: string | undefined;

  constructor(
    readonly id: number,
    account: AccountInfo,
    registration: Registration,
  ) {
    this.jid = `${account.phone}:${id}@s.whatsapp.net`;
    this.lidJid = `${account.lid}:${id}@lid`;
    this.registrationId = registration.registrationId;
    this.identityKey = registration.identityKey;
    this.noiseKey = registration.noiseKey;
    this.signedPreKey = registration.signedPreKey;
  }

  /** Takes one uploaded one-time prekey out of the pool (undefined once exhausted). */
  takePreKey(): { keyId: number; publicKey: Uint8Array } | undefined {
    const next = this.preKeys.entries().next();
    if (next.done) return undefined;
    const [keyId, publicKey] = next.value;
    this.preKeys.delete(keyId);
    return { keyId, publicKey };
  }

  /** The bundle the server hands a sender who starts a session: the device's keys and one uploaded one-time prekey, if any is left. */
  takeBundle(): PreKeyBundle {
    const preKey = this.takePreKey();
    return {
      registrationId: this.registrationId,
      identityKey: generateSignalPubKey(this.identityKey),
      signedPreKey: {
        keyId: this.signedPreKey.keyId,
        publicKey: generateSignalPubKey(this.signedPreKey.publicKey),
        signature: this.signedPreKey.signature,
      },
      ...(preKey ? { preKey: { keyId: preKey.keyId, publicKey: generateSignalPubKey(preKey.publicKey) } } : {}),
    };
  }
}

/** A paired companion device, as the simulator's users see it. */
export interface PairedDevice {
  /** `<phone>:<device>@s.whatsapp.net` */
  readonly jid: string;
  /** `<lid>:<device>@lid` */
  readonly lidJid: string;
}

export const pairedDevice = (device: Device): PairedDevice => ({ jid: device.jid, lidJid: device.lidJid });

/** The account `WaSimulator.start` simulates: phone 491700000000, lid 100000000000000, "Sim Owner" unless given. */
export function accountWithDefaults(account: Partial<AccountInfo> = {}): AccountInfo {
  return {
    phone: account.phone ?? '491700000000',
    lid: account.lid ?? '100000000000000',
    pushName: account.pushName ?? 'Sim Owner',
    ...(account.businessName ? { businessName: account.businessName } : {}),
    ...(account.readReceiptsOff ? { readReceiptsOff: true } : {}),
  };
}

/** The WhatsApp account that companion devices pair with, and the identity key of its phone. */
export class Account implements AccountInfo {
  readonly phone: string;
  readonly lid: string;
  readonly pushName: string;
  readonly businessName: string | undefined;
  readonly readReceiptsOff: boolean;
  /** The phone's identity key: signs device identities (ADV) and is its Signal identity. */
  readonly identity: KeyPair = Curve.generateKeyPair();
  readonly devices = new Map<number, Device>();
  private nextDeviceId = 1;

  constructor(info: AccountInfo) {
    this.phone = info.phone;
    this.lid = info.lid;
    this.pushName = info.pushName;
    this.businessName = info.businessName;
    this.readReceiptsOff = info.readReceiptsOff ?? false;
  }

  /** `<phone>@s.whatsapp.net` */
  get jid(): string {
    return `${this.phone}@s.whatsapp.net`;
  }

  /** `<lid>@lid` */
  get lidJid(): string {
    return `${this.lid}@lid`;
  }

  /** True for a user part (phone or LID) that is this account's own. */
  isOwnUser(user: string | undefined): boolean {
    return user === this.phone || user === this.lid;
  }

  /** Registers a newly paired device; device ids are never reused, so old Signal sessions cannot clash. */
  addDevice(registration: Registration): Device {
    const device = new Device(this.nextDeviceId++, this, registration);
    this.devices.set(device.id, device);
    return device;
  }

  /** The paired device a login claims to be, if its Noise key matches the one it paired with. */
  findDevice(username: string, deviceId: number, noiseKey: Buffer): Device | undefined {
    const device = username === this.phone ? this.devices.get(deviceId) : undefined;
    return device?.noiseKey.equals(noiseKey) ? device : undefined;
  }
}
