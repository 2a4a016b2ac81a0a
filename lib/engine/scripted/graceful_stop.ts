/**
 * How long scripted sessions may run past a run's time bound.
 *
 * @module
 */

/**
 * A scripted session still running when the time bound ends gets this long
 * to finish before it is stopped (`interrupted`), as k6's `gracefulStop`
 * (30 s there; a synfin session is one connection, so less). Built-in
 * sessions need none: their own timeouts bound them.
 */
export const GRACEFUL_STOP_MS = 10_000;
