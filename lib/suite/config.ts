/**
 * The CI config file, `synfin.json`: the options a pipeline would otherwise
 * repeat on every command line. Command-line options override it.
 *
 * ```json
 * {
 *   "target": "127.0.0.1:8080",
 *   "skip": ["close/linger-zero"],
 *   "thresholds": ["handshake.p99<5ms", "outcome.reset<0.1%", "server.closeWait==0"],
 *   "junit": "synfin-junit.xml",
 *   "duration": "10s",
 *   "concurrency": 200
 * }
 * ```
 *
 * Loading validates everything it can without running: types, unknown keys
 * (a misspelt key would otherwise be silently ignored), and the target,
 * durations, concurrency and thresholds (their metric names included) with
 * the very checks of the flags they stand for (`-d`, `-c`, `-n`, `--hold`,
 * `--threshold`),
 * so a bad file fails with exit code 2, names the file and key, and says
 * what the flag would. Durations stay text (`"2s"`, or `"5"` for 5): the CLI
 * parses them as it parses the same options on the command line.
 *
 * @module
 */

import { join } from "node:path";
import { parseDuration } from "../base/duration.ts";
import { checkStages, checkTags } from "./run_keys.ts";
import { UsageError } from "../base/errors.ts";
import { MAX_CONCURRENCY, wholeNumber } from "../base/limits.ts";
import { describeError, errnoOfAny } from "../base/errno.ts";
import { parseTarget } from "../base/target.ts";
import { parseKnownThreshold } from "./threshold.ts";
import { TLS_CONFIG_CHECKS, type TlsConfig } from "./tls_config.ts";

/** The name {@link findDefaultConfig} looks for. */
export const DEFAULT_CONFIG_NAME = "synfin.json";

/** The contents of a config file; every key is optional (the TLS keys: {@link TlsConfig}). */
export interface SynfinConfig extends TlsConfig {
  /** `HOST:PORT`, e.g. `127.0.0.1:8080`. */
  target?: string;
  /** Case IDs or groups to run (default: all). */
  cases?: string[];
  /** Case IDs or groups to leave out. */
  skip?: string[];
  /** Whether a failed `SHOULD` case fails the gate. */
  strict?: boolean;
  /** Threshold expressions, e.g. `handshake.p99<5ms`. */
  thresholds?: string[];
  /** Where to write the JUnit XML report. */
  junit?: string;
  /** Where to write the JSON summary. */
  json?: string;
  /** Handshake timeout, e.g. `3s`. */
  connectTimeout?: string;
  /** How long to wait for the server's FIN, e.g. `2s`. */
  closeTimeout?: string;
  /**
   * How long to keep sampling server sockets after the run, e.g. `1s`: the
   * census setting's `drainMs` (`--drain`).
   */
  drain?: string;
  /** How long the load runs, e.g. `10s` (in the file also a number of seconds). */
  duration?: string;
  /** Sessions in flight in the suite's load or in `load`, 1 to 10,000 (as `-c`). */
  concurrency?: number;
  /** `load` only: stop after this many sessions (as `-n`). */
  sessions?: number;
  /** `load` only: open loop, sessions started per second (as `-r`). */
  rate?: number;
  /** `load` only: dwell before our FIN, e.g. `20ms` (as `--hold`). */
  hold?: string;
  /**
   * `load` only: what each session writes after connect, with the escapes
   * of `--send` (`\r`, `\n`, `\xHH`; in JSON `"PING\\r\\n"`), which the
   * CLI decodes.
   */
  send?: string;
  /**
   * Command printing the server host's socket table: the census setting's
   * `serverSocketsCommand` (`--server-sockets`).
   */
  serverSockets?: string;
  /** `load` and `run`: tags of the run, kept in the JSON report (as `--tag k=v`). */
  tags?: Record<string, string>;
  /**
   * `load` and `run`: ramp in stages (as `--stage 5s:200`), each to its
   * `target` over its `duration`: the concurrency, or with `rate` the arrival
   * rate; the run lasts their sum.
   */
  stages?: { duration: string; target: number }[];
}

/**
 * Checks one key's value: returns it, or a problem phrased to follow the key,
 * e.g. `must be a string`.
 */
type Check = (value: unknown) => { problem: string } | { value: unknown };

const isString = (value: unknown): value is string => typeof value === "string" && value !== "";

function string(value: unknown) {
  return isString(value) ? { value } : { problem: "must be a non-empty string" };
}

function strings(value: unknown) {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    return { problem: "must be an array of strings" };
  }
  const empty = value.indexOf("");
  return empty === -1 ? { value: [...value] } : { problem: `item ${empty + 1} is empty` };
}

function parsed(check: Check, parse: (text: string) => unknown): Check {
  return (value) => {
    const checked = check(value);
    if ("problem" in checked) return checked;
    const texts = Array.isArray(checked.value) ? checked.value : [checked.value];
    for (const [index, text] of texts.entries()) {
      try {
        parse(text as string);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        const where = Array.isArray(checked.value) ? `item ${index + 1} ` : "";
        return { problem: `${where}is invalid: ${lowerFirst(error.message)}` };
      }
    }
    return checked;
  };
}

/**
 * A duration: a string as on the command line (`"2s"`) or a number of
 * seconds (as `-d 5`), checked by the flag's own parser, so `"0s"` and
 * `"2147483s"` fail as `-d 0s` and `-d 2147483s` do. Kept as text, which
 * the plan parses as it parses the flag.
 */
function duration(option: string, positive: boolean): Check {
  return (value) => {
    if (typeof value !== "number" && !isString(value)) {
      return { problem: 'must be a duration, e.g. "2s" or 5 (seconds)' };
    }
    try {
      parseDuration(value, option, { positive });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return { problem: `is invalid: ${lowerFirst(error.message)}` };
    }
    return { value: String(value) };
  };
}

/** A whole number, checked as its flag is (`-c` for `concurrency`). */
function count(option: string, max: number): Check {
  return (value) => {
    if (typeof value !== "number") return { problem: "must be a number, e.g. 50" };
    try {
      return { value: wholeNumber(value, option, 1, max) };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return { problem: `is invalid: ${lowerFirst(error.message)}` };
    }
  };
}

/** A rate of sessions per second, in the range of `--rate`. */
function rate(value: unknown) {
  return typeof value === "number" && value > 0 && value <= MAX_RATE
    ? { value }
    : { problem: `must be sessions per second, more than 0 and at most ${MAX_RATE}, e.g. 500` };
}

/** The highest `--rate`, in sessions per second. */
const MAX_RATE = 1_000_000;

/** The most sessions of `-n`. */
const MAX_SESSIONS = 100_000_000;

const CHECKS: Record<keyof SynfinConfig, Check> = {
  target: parsed(string, parseTarget),
  cases: strings,
  skip: strings,
  strict: (value) => typeof value === "boolean" ? { value } : { problem: "must be true or false" },
  thresholds: parsed(strings, parseKnownThreshold),
  junit: string,
  json: string,
  connectTimeout: duration("--connect-timeout", true),
  closeTimeout: duration("--close-timeout", true),
  drain: duration("--drain", false),
  duration: duration("--duration", true),
  concurrency: count("--concurrency", MAX_CONCURRENCY),
  sessions: count("--sessions", MAX_SESSIONS),
  rate,
  hold: duration("--hold", false),
  send: string,
  serverSockets: string,
  tags: checkTags,
  stages: checkStages,
  ...TLS_CONFIG_CHECKS,
};

/**
 * Reads and validates a config file.
 *
 * @throws {UsageError} when the file is missing or unreadable, is not JSON,
 * or has an unknown key or a bad value; the one-line message names the file
 * and the key.
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, '{"target": "127.0.0.1:8080", "thresholds": ["close.p99<50ms"]}');
 * const config = await loadConfig(path);
 * console.assert(config.thresholds?.[0] === "close.p99<50ms");
 * await Deno.remove(path);
 * ```
 */
export async function loadConfig(path: string): Promise<SynfinConfig> {
  const fail = (problem: string, cause?: unknown) =>
    new UsageError(`Invalid config ${path}: ${problem}`, cause === undefined ? {} : { cause });
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    // The two common failures keep their short words; describeError words the rest.
    const errno = errnoOfAny(error);
    if (errno === "ENOENT") throw fail("no such file", error);
    if (errno === "EISDIR") throw fail("it is a directory", error);
    throw fail(`cannot read it (${oneLine(describeError(error, "--allow-read"))})`, error);
  }
  let data: unknown;
  try {
    // Some Windows editors start UTF-8 files with a byte order mark; JSON.parse rejects it.
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw fail(`not valid JSON (${oneLine((error as Error).message)})`, error);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw fail('expected a JSON object, e.g. {"target": "127.0.0.1:8080"}');
  }
  return checkConfigObject(data, `config ${path}`);
}

/**
 * Checks an object against the config file's keys, with the config file's
 * own checks: what `loadConfig` does after reading the JSON, and what a
 * scenario module's `options` go through (`only` its keys).
 *
 * @param where what the object is, for the message: `config synfin.json`.
 * @throws {UsageError} `Invalid <where>: ...` naming the key.
 * @example
 * ```ts
 * import { checkConfigObject } from "./config.ts";
 * const options = checkConfigObject({ concurrency: 5, duration: "2s" }, "options of x.ts");
 * console.assert(options.concurrency === 5 && options.duration === "2s");
 * let message = "";
 * try {
 *   checkConfigObject({ concurrency: 0 }, "options of x.ts");
 * } catch (error) {
 *   message = (error as Error).message;
 * }
 * console.assert(message.startsWith('Invalid options of x.ts: "concurrency" is invalid'));
 * ```
 */
export function checkConfigObject(
  data: object,
  where: string,
  only: readonly (keyof SynfinConfig)[] = Object.keys(CHECKS) as (keyof SynfinConfig)[],
): SynfinConfig {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!(only as string[]).includes(key)) {
      throw new UsageError(
        `Invalid ${where}: unknown key ${JSON.stringify(key)} (known: ${only.join(", ")})`,
      );
    }
    if (value === undefined) continue;
    const checked = CHECKS[key as keyof SynfinConfig](value);
    if ("problem" in checked) throw new UsageError(`Invalid ${where}: "${key}" ${checked.problem}`);
    config[key] = checked.value;
  }
  return config as SynfinConfig;
}

/**
 * The default config file, `<cwd>/synfin.json`, if it exists.
 *
 * @example
 * ```ts
 * import { findDefaultConfig } from "./config.ts";
 * const dir = await Deno.makeTempDir();
 * console.assert(await findDefaultConfig(dir) === undefined);
 * await Deno.writeTextFile(`${dir}/synfin.json`, "{}");
 * console.assert(await findDefaultConfig(dir) === `${dir}/synfin.json`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function findDefaultConfig(cwd: string = Deno.cwd()): Promise<string | undefined> {
  const path = join(cwd, DEFAULT_CONFIG_NAME);
  try {
    // A directory of that name is not a config: let the run go on without one.
    return (await Deno.stat(path)).isFile ? path : undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function lowerFirst(text: string): string {
  return text.startsWith("Invalid ") ? `invalid ${text.slice("Invalid ".length)}` : text;
}
