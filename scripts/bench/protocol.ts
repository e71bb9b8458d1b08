/** Messages between the benchmark and its simulator process. */
export type SimCommand =
  | { kind: 'pair'; qr: string }
  /** `tag` marks the burst's texts ("burst:<tag>:<i> sent <ms>") so each stage counts only its own messages. */
  | { kind: 'burst'; count: number; chats: number; tag: string }
  | { kind: 'steady'; count: number; chats: number; rate: number }
  | { kind: 'receipts' }
  | { kind: 'stop' };

export type SimReply =
  { kind: 'ready'; url: string } | { kind: 'done' } | { kind: 'sent'; startedAt: number; endedAt: number } | { kind: 'receipts'; at: Record<string, number> };

/** A clock shared by both processes (epoch ms with sub-ms precision). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** The send time the simulator wrote into a message text ("... sent <ms>"). */
export function sentAtOf(text: string): number {
  return Number(/sent ([\d.]+)$/.exec(text)?.[1]);
}
