import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A throwaway CA and the media host's certificate it signed, all PEM. */
export interface MediaCertificates {
  /** The CA certificate: what a client trusts (`NODE_EXTRA_CA_CERTS`, `https.Agent({ ca })`). */
  readonly caPem: string;
  /** The server certificate, for IP 127.0.0.1 (and `localhost`). */
  readonly certPem: string;
  /** The server certificate's private key. */
  readonly keyPem: string;
}

const HOUR_MS = 3_600_000;

/** RSA keys come from Node's native generator (forge's own is pure JS and slow). */
function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKey: forge.pki.privateKeyFromPem(privateKey), publicKey: forge.pki.publicKeyFromPem(publicKey) };
}

function certificate(subject: string, publicKey: forge.pki.rsa.PublicKey, validHours: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // a positive serial in minimal DER: first byte 0x01-0x7f (a leading 0x00 before a byte under
  // 0x80, as `0` + random hex gave 1 time in 32, makes OpenSSL refuse the certificate)
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - HOUR_MS); // tolerate a little clock skew
  cert.validity.notAfter = new Date(Date.now() + validHours * HOUR_MS);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  return cert;
}

/** Makes a fresh CA and a certificate for `127.0.0.1` signed by it; nothing is written to disk. */
export function makeMediaCertificates(validHours = 48): MediaCertificates {
  const caKeys = rsaKeys();
  const ca = certificate('WhatsApp simulator throwaway CA', caKeys.publicKey, validHours);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const leafKeys = rsaKeys();
  const leaf = certificate('127.0.0.1', leafKeys.publicKey, validHours);
  leaf.setIssuer(ca.subject.attributes);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // type 7 = iPAddress, type 2 = dNSName (RFC 5280 GeneralName)
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(leaf),
    keyPem: forge.pki.privateKeyToPem(leafKeys.privateKey),
  };
}
