/**
 * The config file's TLS keys (`load` and `run`), as `--tls`, `--tls-ca`
 * and `--tls-servername`; a scenario's `options` may set `tls` only (the
 * CA is the deployment's, not the scenario's). Checked with the config
 * file's other keys (lib/suite/config.ts).
 *
 * @module
 */

/** The TLS keys of a config file. */
export interface TlsConfig {
  /** `load` and `run`: every session speaks TLS (as `--tls`; deno engine). */
  tls?: boolean;
  /** With `tls`: a PEM file of CA certificates to trust besides Deno's roots (as `--tls-ca`). */
  tlsCa?: string;
  /** With `tls`: the SNI and certificate name (as `--tls-servername`; default: the target's host). */
  tlsServername?: string;
}

/** A key's value checked: kept, or a problem phrased to follow the key. */
export type TlsKeyCheck = { problem: string } | { value: unknown };

/**
 * The checks of the {@link TlsConfig} keys, in the shape of the config
 * file's own.
 *
 * @example
 * ```ts
 * import { TLS_CONFIG_CHECKS } from "./tls_config.ts";
 * console.assert("value" in TLS_CONFIG_CHECKS.tls(true));
 * console.assert("problem" in TLS_CONFIG_CHECKS.tlsCa(""));
 * ```
 */
export const TLS_CONFIG_CHECKS: Readonly<Record<keyof TlsConfig, (value: unknown) => TlsKeyCheck>> =
  {
    tls: (value) => typeof value === "boolean" ? { value } : { problem: "must be true or false" },
    tlsCa: nonEmptyString,
    tlsServername: nonEmptyString,
  };

function nonEmptyString(value: unknown): TlsKeyCheck {
  return typeof value === "string" && value.trim() !== ""
    ? { value }
    : { problem: "must be a non-empty string" };
}
