// Tests and benchmarks that drive a program from the system (Chromium, nginx, mosquitto, opusenc) use
// this to find it. On a machine without it such a test skips with one line naming the Debian
// package that provides it; under CI (CI set, and not "false" or "0") a missing program throws
// instead, so that CI cannot pass by skipping. .ci/run installs them all and sets CI.
//
//   test('...', { skip: needs('shellcheck', 'shellcheck') }, () => { ... });
//   describe('...', { skip: needsChromium || needsNginx }, () => { ... });
import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join } from 'node:path';

export interface SystemCommand {
  /** The executable that was found: the path itself, or the first match on PATH. */
  path: string | undefined;
  available: boolean;
  /** For node:test's `skip` option: false when available, else the one-line reason. */
  skip: string | false;
}

/** Where Debian installs administration tools, which a non-root user's PATH often lacks. */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/**
 * Looks up `command` (a name searched on PATH, or an absolute path used as is), provided by the
 * Debian package `debianPackage`. Throws under CI when it is missing.
 */
export function systemCommand(command: string, debianPackage: string): SystemCommand {
  const path = isAbsolute(command) ? [command].find(isExecutableFile) : onPath(command);
  if (path) return { path, available: true, skip: false };

  const install = `apt-get install -y ${debianPackage}`;
  const elsewhere = isAbsolute(command) ? undefined : SBIN_DIRS.map((dir) => join(dir, command)).find(isExecutableFile);
  const reason = elsewhere ? `needs ${command} on PATH (it is at ${elsewhere}: add ${dirname(elsewhere)} to PATH)` : `needs ${basename(command)} (${install})`;
  if (underCi()) {
    throw new Error(`CI=${process.env.CI ?? ''}: tests may not skip, but this one ${reason}; .ci/run installs it`);
  }
  return { path: undefined, available: false, skip: reason };
}

/** Just the `skip` value of systemCommand(), for one-line use in a test's options. */
export function needs(command: string, debianPackage: string): string | false {
  return systemCommand(command, debianPackage).skip;
}

function underCi(): boolean {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

function onPath(command: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, command))
    .find(isExecutableFile);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
