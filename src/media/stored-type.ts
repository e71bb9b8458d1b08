import { open, rename } from 'node:fs/promises';
import { markupType, storedMimetype } from './safe-media-type.js';

/** Enough of the file for the markup check (an SVG's `<svg` may follow an XML declaration and comments). */
const HEAD_BYTES = 4096;

/** file-type is loaded with the first saved file, not at start: it is not needed at rest. */
const fileType = () => import('file-type');

/**
 * What a saved file is, from its bytes (markup first, then magic bytes), falling back to the
 * sender's claim only when the bytes do not tell (see `storedMimetype`).
 */
export async function storedTypeOf(path: string, claimed: string | null): Promise<string> {
  const file = await open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  const markup = markupType(head);
  const detected = markup ? null : ((await (await fileType()).fileTypeFromFile(path))?.mime ?? null);
  return storedMimetype(claimed, detected, markup);
}

/**
 * Gives a saved file the type its bytes show, and the name that goes with it: `pathFor` names
 * the file for a type, and the file is renamed when the sender's claim gave it another extension
 * (an SVG sent as a photo is no `.jpg`).
 */
export async function settleSavedFile(
  saved: string,
  claimed: string | null,
  pathFor: (mimetype: string) => string,
): Promise<{ path: string; mimetype: string }> {
  const mimetype = await storedTypeOf(saved, claimed);
  const path = pathFor(mimetype);
  if (path !== saved) await rename(saved, path);
  return { path, mimetype };
}
