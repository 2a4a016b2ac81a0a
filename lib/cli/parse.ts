/**
 * What every command's argument parser shares: the option table walk with
 * one target, whole numbers, durations, file names, the census options and
 * the `--send` escapes. Every failure is a one-line {@link UsageError} that
 * names the option and the bad value.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseDuration } from "../base/duration.ts";
import { UsageError } from "../base/errors.ts";
import { wholeNumber } from "../base/limits.ts";
import { parseTarget, type Target } from "../base/target.ts";
import type { CensusSettings } from "../census/settings.ts";
import { chooseEngine } from "../engine/engine_choice.ts";
import { type EngineName, ENGINES } from "../engine/load.ts";

/** The commands whose `--help` is their own (`backlog` parses its own). */
export type HelpTopic = "check" | "load" | "run" | "idle";

/**
 * `--help` or `--version`, which win over everything else on the line. A
 * help after a command word (`load --help`) names it in `topic`; without
 * one, `--help` covers every command.
 */
export type EarlyCommand = { kind: "help"; topic?: HelpTopic } | { kind: "version" };

/** Every command word, as `--help` lists them. */
export const COMMANDS: readonly string[] = [
  "check",
  "load",
  "run",
  "idle",
  "backlog",
  "merge",
  "demo",
];

/** Options of every command but `backlog`. */
export const COMMON_OPTIONS = {
  "connect-timeout": { type: "string" },
  json: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/** `--engine raw|deno`, on the commands that run sessions (`check`, `load`, `backlog`). */
export const ENGINE_OPTIONS = {
  engine: { type: "string" },
} as const;

/**
 * The engine `--engine` names, checked against the engines that exist (and
 * whether `raw` can run here) before anything connects.
 *
 * @example
 * ```ts
 * import { engineGiven } from "./parse.ts";
 * console.assert(engineGiven("deno") === "deno" && engineGiven(undefined) === undefined);
 * ```
 */
export function engineGiven(text: string | undefined): EngineName | undefined {
  if (text === undefined) return undefined;
  if (!(ENGINES as readonly string[]).includes(text)) {
    throw new UsageError(`Invalid --engine "${text}": use ${ENGINES.join(" or ")}`);
  }
  chooseEngine(text as EngineName); // raw where it cannot run: a usage error now
  return text as EngineName;
}

/** Options of the commands that take a socket census (`check`, `load`). */
export const CENSUS_OPTIONS = {
  "close-timeout": { type: "string" },
  "server-sockets": { type: "string" },
  drain: { type: "string" },
  "no-census": { type: "boolean" },
} as const;

type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

/** Options whose value is a number or a duration: a dash before it is a minus sign. */
const NUMERIC_OPTIONS = new Set([
  "concurrency",
  "sessions",
  "duration",
  "rate",
  "hold",
  "connect-timeout",
  "close-timeout",
  "drain",
  "burst",
  "idle-bound",
  "connections",
  "bound",
]);

/**
 * `node:util` `parseArgs` with one-line {@link UsageError}s. `-c -5` reads
 * as an option named `-5` there ("argument is ambiguous"), so a negative
 * number after a numeric option is passed on as `--concurrency=-5`, for
 * the option's own check to call it what it is.
 *
 * @throws {UsageError} on an unknown option, a missing value, or a negative number.
 * @example
 * ```ts
 * import { parseArgv } from "./parse.ts";
 * const { values } = parseArgv(["-c", "5"], { concurrency: { type: "string", short: "c" } });
 * console.assert(values.concurrency === "5");
 * ```
 */
export function parseArgv<T extends OptionSpec>(argv: string[], options: T, prefix = "") {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    const name = word.startsWith("--")
      ? word.slice(2)
      : Object.keys(options).find((key) => word === `-${options[key].short}`);
    const next = argv[i + 1];
    if (word === "--") {
      args.push(...argv.slice(i));
      break;
    }
    // As --name=-5 the value reaches the option's own check ("must be positive").
    if (name !== undefined && NUMERIC_OPTIONS.has(name) && /^-\d/.test(next ?? "")) {
      args.push(`--${name}=${next}`);
      i++;
    } else args.push(word);
  }
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    const ambiguous = /^Option '(-[^']+)' argument is ambiguous/.exec(message);
    throw new UsageError(
      prefix +
        (ambiguous
          ? `${ambiguous[1]} takes a value, and the next word starts with a dash: ` +
            `write ${ambiguous[1]}=VALUE`
          : message.replace(/\. To specify a positional.*$/, "")),
      { cause: error },
    );
  }
}

/**
 * Parses options and the one target. `early` is set for --help / --version
 * (naming `topic`, the command whose help it is, when given); `target` is
 * undefined only then, with `--list`, or when `targetOptional` (the target
 * may come from a config file).
 *
 * @example
 * ```ts
 * import { COMMON_OPTIONS, parseOptions } from "./parse.ts";
 * const { values, target } = parseOptions(["--json", "-", "127.0.0.1:8080"], COMMON_OPTIONS);
 * console.assert(values.json === "-" && target?.port === 8080);
 * ```
 */
export function parseOptions<T extends OptionSpec>(
  args: string[],
  options: T,
  { targetOptional = false, topic }: { targetOptional?: boolean; topic?: HelpTopic } = {},
) {
  const { values, positionals } = parseArgv(args, options);
  const flags: Record<string, unknown> = values;
  const early: EarlyCommand | undefined = flags.help
    ? topic === undefined ? { kind: "help" } : { kind: "help", topic }
    : flags.version
    ? { kind: "version" }
    : undefined;
  const none: Target | undefined = undefined;
  if (early || flags.list) return { values, target: none, early };
  if (positionals.length > 1) {
    throw new UsageError(
      `Expected one target, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  if (positionals.length === 0) {
    if (targetOptional) return { values, target: none, early };
    throw new UsageError("Missing target: give HOST:PORT");
  }
  return { values, target: parseTarget(positionals[0]), early };
}

/**
 * A whole number from `min` to `max`, given as `option`.
 *
 * @example
 * ```ts
 * import { integer } from "./parse.ts";
 * console.assert(integer("20", "--concurrency", 1, 10_000) === 20);
 * ```
 */
export function integer(text: string, option: string, min: number, max: number): number {
  return wholeNumber(text, option, min, max);
}

/**
 * A duration above zero, in ms.
 *
 * @example
 * ```ts
 * import { positiveDuration } from "./parse.ts";
 * console.assert(positiveDuration("2s", "--bound") === 2000);
 * ```
 */
export function positiveDuration(text: string, option: string): number {
  return parseDuration(text, option, { positive: true });
}

/**
 * A file name that is not blank.
 *
 * @example
 * ```ts
 * import { nonEmpty } from "./parse.ts";
 * console.assert(nonEmpty("out.xml", "--junit") === "out.xml");
 * ```
 */
export function nonEmpty(text: string, option: string): string {
  if (text.trim() === "") throw new UsageError(`Invalid ${option} "": give a file name`);
  return text;
}

/**
 * `{ jsonPath }` when `--json` was given, else nothing (so the key stays absent).
 *
 * @example
 * ```ts
 * import { jsonPathOf } from "./parse.ts";
 * console.assert(jsonPathOf("-").jsonPath === "-" && !("jsonPath" in jsonPathOf(undefined)));
 * ```
 */
export function jsonPathOf(path: string | undefined): { jsonPath?: string } {
  return path === undefined ? {} : { jsonPath: nonEmpty(path, "--json") };
}

/** The census options as parsed by {@link parseOptions} with {@link CENSUS_OPTIONS}. */
export interface CensusValues {
  /** `--drain DUR`. */
  drain?: string;
  /** `--server-sockets CMD`. */
  "server-sockets"?: string;
  /** `--no-census`. */
  "no-census"?: boolean;
}

/**
 * What the command line said about the census: `"off"` (`--no-census`),
 * the settings it gave (`--drain`, `--server-sockets`), or `undefined` when
 * it said nothing. The caller fills in the rest from its defaults.
 *
 * @example
 * ```ts
 * import { censusGiven } from "./parse.ts";
 * console.assert(censusGiven({ "no-census": true }) === "off");
 * const given = censusGiven({ drain: "500ms" });
 * console.assert(given !== "off" && given?.drainMs === 500);
 * console.assert(censusGiven({}) === undefined);
 * ```
 */
export function censusGiven(values: CensusValues): "off" | Partial<CensusSettings> | undefined {
  const given: Partial<CensusSettings> = {};
  if (values.drain !== undefined) given.drainMs = parseDuration(values.drain, "--drain");
  const command = values["server-sockets"];
  if (command !== undefined && command.trim() === "") {
    throw new UsageError('Invalid --server-sockets "": give a command, e.g. "cat /proc/net/tcp"');
  }
  if (values["no-census"]) {
    if (command !== undefined) {
      throw new UsageError("--server-sockets and --no-census contradict each other: drop one");
    }
    return "off";
  }
  if (command !== undefined) given.serverSocketsCommand = command;
  return Object.keys(given).length === 0 ? undefined : given;
}

/**
 * Turns `--send` text into bytes, honouring `\r`, `\n`, `\t`, `\\` and `\xHH`
 * so a protocol request (`GET / HTTP/1.0\r\n\r\n`) fits in one shell word.
 *
 * @example
 * ```ts
 * import { unescapePayload } from "./parse.ts";
 * console.assert(unescapePayload("a\\r\\n").length === 3);
 * ```
 */
export function unescapePayload(text: string): Uint8Array {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== "\\" || i === text.length - 1) {
      // A whole code point: characters above U+FFFF span two UTF-16 units.
      const point = String.fromCodePoint(text.codePointAt(i)!);
      bytes.push(...encoder.encode(point));
      i += point.length - 1;
      continue;
    }
    const next = text[++i];
    if (next === "r") bytes.push(13);
    else if (next === "n") bytes.push(10);
    else if (next === "t") bytes.push(9);
    else if (next === "\\") bytes.push(92);
    else if (next === "x" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new UsageError(`Invalid --send escape "\\${next}": use \\r \\n \\t \\\\ or \\xHH`);
  }
  return new Uint8Array(bytes);
}
