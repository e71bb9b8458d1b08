/**
 * One part of the bridge, started and stopped by the controller (bridge.ts): in order at start,
 * in reverse at stop. Constructors only wire things up; anything that touches a file, a port or
 * the network happens in `start`.
 */
export interface Part {
  start(): Promise<void>;
  stop(): Promise<void>;
}
