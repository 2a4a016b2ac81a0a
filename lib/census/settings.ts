/**
 * The one shape of the socket-census setting, shared by `load`, `check` and
 * `backlog`, the config file and the library: either how to take the census,
 * or `"off"`.
 *
 * @module
 */

/**
 * Drain window after a run: long enough for a server that closes a moment
 * after our FIN, short enough not to stall a CI job. The census ends the
 * drain early once the server's non-TIME_WAIT states are back to baseline.
 */
export const DEFAULT_DRAIN_MS = 3000;

/** How the census of the server port is taken around a run. */
export interface CensusSettings {
  /**
   * After the run, keep sampling until the server has settled or this long
   * has passed, ms.
   *
   * @default {3000}
   */
  drainMs: number;
  /**
   * Read the server host's socket table with this shell command (`ss -tan`
   * or `/proc/net/tcp` output) instead of this host's; `--server-sockets`.
   */
  serverSocketsCommand?: string;
}

/** The census setting: how to take it, or `"off"` (`--no-census`, `"census": "off"`). */
export type CensusChoice = CensusSettings | "off";

/**
 * A census setting with the defaults filled in.
 *
 * @example
 * ```ts
 * import { censusSettings } from "./settings.ts";
 * console.assert(censusSettings().drainMs === 3000);
 * console.assert(censusSettings({ drainMs: 500 }).drainMs === 500);
 * ```
 */
export function censusSettings(given: Partial<CensusSettings> = {}): CensusSettings {
  const settings: CensusSettings = { drainMs: given.drainMs ?? DEFAULT_DRAIN_MS };
  if (given.serverSocketsCommand !== undefined) {
    settings.serverSocketsCommand = given.serverSocketsCommand;
  }
  return settings;
}
