import type { NextFunction, Request, Response } from 'express';
import type { SavedFile } from '../media/media-files.js';
import { mediaHeaders } from './media-headers.js';

/** A saved file by chat and message id, or null (never saved, or removed by retention). */
export type FindMediaFile = (chat: string, messageId: string) => SavedFile | null;

/**
 * The path of a saved file on the message API (`media.url`): the chat and the id together,
 * since the id is chosen by the sender's client and another contact can reuse it.
 */
export function mediaPath(chat: string, messageId: string): string {
  return `/api/media/${encodeURIComponent(chat)}/${encodeURIComponent(messageId)}`;
}

/** `GET /api/media/:chat/:id`: the file with safe headers, a Range of it (206), or a JSON error. */
export function serveMedia(find: FindMediaFile) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const file = find(String(req.params.chat), String(req.params.id));
    const gone = () =>
      void res.status(404).json({
        error: 'No saved file for this chat and message: it had none, was not downloaded, or was removed by retention.',
      });
    if (!file) return gone();
    res.sendFile(file.path, { headers: mediaHeaders(file), cacheControl: false, dotfiles: 'allow' }, (error?: Error & { status?: number; code?: string }) => {
      if (!error || res.headersSent) return; // sent, or the client went away mid-file
      // The file's own headers are set before send checks the Range: an error answer must not keep them.
      for (const name of ['Content-Type', 'Content-Disposition', 'Last-Modified', 'ETag']) res.removeHeader(name);
      if (error.status === 416) {
        res
          .status(416)
          .set('Content-Range', `bytes */${file.size}`)
          .json({ error: `The Range is outside the file (${file.size} bytes): ask for bytes within 0-${file.size - 1}, or send no Range.` });
        return;
      }
      if (error.code === 'ENOENT') return gone();
      next(error);
    });
  };
}

/** `GET /api/media/:id`, the form of earlier versions: an id alone can name another chat's file, so it serves nothing. */
export function oldMediaUrl(_req: Request, res: Response): void {
  res.status(410).json({
    error: "GET /api/media/<message id> was replaced by GET /api/media/<chat>/<message id>: fetch the message's media.url as it is.",
  });
}
