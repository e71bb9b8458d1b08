/**
 * PNG tEXt chunks (PNG specification, section 11.3.4.3): a keyword and a Latin-1 text, here the
 * app version a screenshot shows, so a test can tell an outdated picture without a browser.
 */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The PNG's CRC-32 (ISO 3309, as zlib's), over a chunk's type and data. */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

interface Chunk {
  type: string;
  data: Buffer;
}

/** The chunks of a PNG, each checked against its CRC. */
export function readChunks(png: Buffer): Chunk[] {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file (no PNG signature)');
  const chunks: Chunk[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    if (crc32(typeAndData) !== png.readUInt32BE(at + 8 + length)) throw new Error(`PNG chunk at byte ${at} has a wrong CRC`);
    chunks.push({ type: typeAndData.subarray(0, 4).toString('latin1'), data: typeAndData.subarray(4) });
    at += 12 + length;
  }
  return chunks;
}

/** The tEXt entries of a PNG, keyword to text. */
export function readTextChunks(png: Buffer): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const { type, data } of readChunks(png)) {
    if (type !== 'tEXt') continue;
    const nul = data.indexOf(0);
    texts[data.subarray(0, nul).toString('latin1')] = data.subarray(nul + 1).toString('latin1');
  }
  return texts;
}

/** The PNG with a tEXt chunk added right after its header (IHDR), where readers look first. */
export function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword)) throw new Error(`PNG keyword "${keyword}" must be 1-79 printable ASCII characters`);
  readChunks(png); // refuses anything but a whole, intact PNG
  const typeAndData = Buffer.concat([Buffer.from('tEXt', 'latin1'), Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const chunk = Buffer.alloc(8 + typeAndData.length);
  chunk.writeUInt32BE(typeAndData.length - 4, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), chunk.length - 4);
  const afterHeader = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, afterHeader), chunk, png.subarray(afterHeader)]);
}
