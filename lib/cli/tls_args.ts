/**
 * `--tls`, `--tls-ca FILE` and `--tls-servername NAME` of `load` and `run`,
 * laid over the config file's `tls`, `tlsCa` and `tlsServername` (and a
 * scenario's `options.tls`), and the CA file read before anything connects.
 *
 * @module
 */

import { UsageError } from "../base/errors.ts";
import { describeError } from "../base/errno.ts";
import { chooseEngine } from "../engine/engine_choice.ts";
import type { EngineName } from "../engine/load.ts";
import type { TlsOptions } from "../engine/tls.ts";
import type { TlsConfig } from "../suite/tls_config.ts";

/** The TLS flags, for `parseArgs`. */
export const TLS_OPTIONS = {
  tls: { type: "boolean" },
  "tls-ca": { type: "string" },
  "tls-servername": { type: "string" },
} as const;

/** The TLS flags as given; absent keys were not. */
export interface TlsFlags {
  /** `--tls`. */
  tls?: true;
  /** `--tls-ca FILE`. */
  caFile?: string;
  /** `--tls-servername NAME`. */
  servername?: string;
}

/** The largest `--tls-ca` file read, bytes: a CA bundle is tens of KB; 4 MiB is a wrong path. */
const MAX_CA_BYTES = 4 * 1024 * 1024;

/**
 * `{ tls }` with the TLS flags given, else nothing (so the key stays absent).
 *
 * @example
 * ```ts
 * import { tlsFlagsOf } from "./tls_args.ts";
 * console.assert(tlsFlagsOf({ tls: true, "tls-ca": "ca.pem" }).tls?.caFile === "ca.pem");
 * console.assert(tlsFlagsOf({}).tls === undefined);
 * ```
 */
export function tlsFlagsOf(
  values: { tls?: boolean; "tls-ca"?: string; "tls-servername"?: string },
): { tls?: TlsFlags } {
  const flags: TlsFlags = {};
  if (values.tls) flags.tls = true;
  if (values["tls-ca"] !== undefined) flags.caFile = given(values["tls-ca"], "--tls-ca");
  if (values["tls-servername"] !== undefined) {
    flags.servername = given(values["tls-servername"], "--tls-servername");
  }
  return Object.keys(flags).length > 0 ? { tls: flags } : {};
}

/**
 * The run's TLS settings: the flags over the config (with a scenario's
 * options laid in), the CA file read and checked; `undefined` without TLS.
 *
 * @throws {UsageError} when `--tls-ca` or `--tls-servername` come without
 * TLS, the CA file cannot be read or holds no PEM certificate, or
 * `--engine raw` was asked for (the raw engine does not do TLS).
 * @example
 * ```ts
 * import { resolveTls } from "./tls_args.ts";
 * console.assert(await resolveTls(undefined, {}) === undefined);
 * const tls = await resolveTls({ tls: true, servername: "localhost" }, {});
 * console.assert(tls?.servername === "localhost");
 * ```
 */
export async function resolveTls(
  flags: TlsFlags | undefined,
  config: TlsConfig,
  engine?: EngineName,
): Promise<TlsOptions | undefined> {
  const on = flags?.tls === true || config.tls === true;
  const caFile = flags?.caFile ?? config.tlsCa;
  const servername = flags?.servername ?? config.tlsServername;
  if (!on) {
    const stray = flags?.caFile !== undefined
      ? "--tls-ca"
      : flags?.servername !== undefined
      ? "--tls-servername"
      : undefined;
    if (stray) {
      throw new UsageError(
        `${stray} needs --tls (or "tls": true in the config file or the scenario's options)`,
      );
    }
    return undefined;
  }
  chooseEngine(engine, { tls: true });
  return {
    ...(caFile !== undefined && { caCerts: [await readCa(caFile)] }),
    ...(servername !== undefined && { servername }),
  };
}

async function readCa(path: string): Promise<string> {
  let text: string;
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw new UsageError(`Cannot read --tls-ca ${path}: it is a directory`);
    if (info.size > MAX_CA_BYTES) {
      throw new UsageError(`Cannot read --tls-ca ${path}: ${info.size} bytes is no CA bundle`);
    }
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : describeError(error, "--allow-read");
    throw new UsageError(`Cannot read --tls-ca ${path}: ${why}`, { cause: error });
  }
  // Deno skips what is not a certificate: a wrong file would only show as
  // every handshake failing with an unknown issuer.
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text)) {
    throw new UsageError(
      `Invalid --tls-ca ${path}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)`,
    );
  }
  return text;
}

function given(text: string, option: string): string {
  if (text.trim() === "") throw new UsageError(`Invalid ${option} "": give a value`);
  return text;
}
