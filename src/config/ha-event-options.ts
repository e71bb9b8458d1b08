import type { OptionReader } from './option-reader.js';

/** Home Assistant's event bus. */
export interface HaEventOptions {
  /** Fire `whatsapp_message` on Home Assistant's event bus (false when no Supervisor is there to take them). */
  readonly haEventEnabled: boolean;
}

/** `ha_event_enabled`. */
export function readHaEventOptions(read: OptionReader): HaEventOptions {
  const enabled = read.bool('ha_event_enabled', false);
  return { haEventEnabled: enabled && read.requiresSupervisor('ha_event_enabled', 'events are off') };
}
