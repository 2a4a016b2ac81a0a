/**
 * The permissions a command needs, checked with `Deno.permissions.querySync`
 * before anything runs: a missing one is one line that names it and the
 * command that works, and exit 2, rather than an unreachable target
 * (`Deno.connect` refused reads like a dead server), a raw
 * `Uncaught (in worker "")` or an internal error halfway through a run.
 *
 * The permission sets of `deno.json` (`-P`, `-P=server-sockets`,
 * `-P=sandboxed`) grant reading and writing in synfin's folder only: paths
 * elsewhere (a config file, a report) are named in the command that works
 * as `--allow-read=` / `--allow-write=` flags, which Deno lets replace the
 * set's own list of that kind (so the read list keeps synfin's folder).
 *
 * @module
 */

import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

/** Something a command needs to be allowed: Deno's descriptor and why, in a few words. */
export type PermissionNeed =
  | { name: "net"; host: string; why: string }
  | { name: "read"; path: string; why: string }
  | { name: "write"; path: string; why: string }
  | { name: "run"; command: string; why: string }
  | { name: "env"; variable: string; why: string };

/** The deno engine's worker module: what Deno reads to start a worker. */
const WORKER_URL = new URL("../engine/worker.ts", import.meta.url);

/**
 * synfin's folder (where `deno.json` and `cli.ts` are), or `undefined` when
 * synfin is not loaded from files (then its workers need no read access).
 */
export const SYNFIN_ROOT: string | undefined = WORKER_URL.protocol === "file:"
  ? fromFileUrl(WORKER_URL).replace(/\/lib\/engine\/worker\.ts$/, "")
  : undefined;

/**
 * What every command that starts Web Workers (the engines' event loops)
 * needs: Deno loads a worker's module only with read access to it, and
 * says so only inside the worker (`Uncaught (in worker "")`).
 *
 * @example
 * ```ts
 * import { workerModulesNeed } from "./permissions.ts";
 * const [need] = workerModulesNeed();
 * console.assert(need === undefined || need.name === "read");
 * ```
 */
export function workerModulesNeed(): PermissionNeed[] {
  if (SYNFIN_ROOT === undefined) return [];
  const path = fromFileUrl(WORKER_URL);
  return [{ name: "read", path, why: "synfin's own modules, which its workers load" }];
}

/**
 * The needs of `needs` that this process is not granted, in order, each once.
 *
 * @example
 * ```ts
 * import { missingPermissions } from "./permissions.ts";
 * const missing = missingPermissions([{ name: "net", host: "127.0.0.1:8080", why: "the target" }]);
 * console.assert(missing.length === 0); // the test permission set grants net
 * ```
 */
export function missingPermissions(needs: readonly PermissionNeed[]): PermissionNeed[] {
  const seen = new Set<string>();
  return needs.filter((need) => {
    const key = `${need.name} ${descriptorOf(need)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return Deno.permissions.querySync(queryOf(need)).state !== "granted";
  });
}

/**
 * The one line for missing permissions: what is missing and why, then the
 * command that works (see {@link workingCommand}).
 *
 * @example
 * ```ts
 * import { permissionProblem } from "./permissions.ts";
 * const line = permissionProblem(
 *   [{ name: "net", host: "127.0.0.1:8080", why: "the target" }],
 *   [{ name: "net", host: "127.0.0.1:8080", why: "the target" }],
 *   ["127.0.0.1:8080"],
 * );
 * console.assert(line.startsWith("Missing permission: net access to 127.0.0.1:8080 (the target)"));
 * console.assert(line.includes("deno run -P "));
 * ```
 */
export function permissionProblem(
  missing: readonly PermissionNeed[],
  needs: readonly PermissionNeed[],
  argv: readonly string[],
  cwd: string = Deno.cwd(),
): string {
  const what = missing.map((need) =>
    `${need.name} access to ${shownPath(descriptorOf(need), need, cwd)} (${need.why})`
  );
  return `Missing permission${missing.length > 1 ? "s" : ""}: ${what.join(", ")}; ` +
    `run: ${workingCommand(needs, argv, cwd)}`;
}

/**
 * The `deno run` command line that grants every need: `-P`, or
 * `-P=server-sockets` when a command is to be run, plus `--allow-read=` /
 * `--allow-write=` for paths outside synfin's folder, `--config` when the
 * working directory is outside it, then `cli.ts` and the words given.
 *
 * @example
 * ```ts
 * import { SYNFIN_ROOT, workingCommand } from "./permissions.ts";
 * const line = workingCommand(
 *   [{ name: "write", path: "/tmp/out.xml", why: "--junit" }],
 *   ["--junit", "/tmp/out.xml", "127.0.0.1:8080"],
 *   SYNFIN_ROOT,
 * );
 * console.assert(line === "deno run -P --allow-write=/tmp/out.xml cli.ts --junit /tmp/out.xml 127.0.0.1:8080");
 * ```
 */
export function workingCommand(
  needs: readonly PermissionNeed[],
  argv: readonly string[],
  cwd: string = Deno.cwd(),
): string {
  const root = SYNFIN_ROOT ?? cwd;
  const outside = (path: string) => !inside(resolve(cwd, path), root);
  const paths = (name: "read" | "write") =>
    needs.flatMap((need) => need.name === name ? [need.path] : []);
  const words = ["deno", "run"];
  words.push(needs.some((need) => need.name === "run") ? "-P=server-sockets" : "-P");
  const reads = paths("read");
  if (reads.some(outside)) {
    // The flag replaces the set's read list: keep synfin's folder in it.
    const list = [root, ...reads.filter(outside)].map((path) => shownFile(path, cwd));
    words.push(`--allow-read=${unique(list).join(",")}`);
  }
  const writes = paths("write");
  if (writes.some(outside)) {
    words.push(`--allow-write=${unique(writes.map((path) => shownFile(path, cwd))).join(",")}`);
  }
  if (!inside(cwd, root)) words.push("--config", shownFile(join(root, "deno.json"), cwd));
  words.push(shownFile(join(root, "cli.ts"), cwd), ...argv);
  return words.map(shellWord).join(" ");
}

function queryOf(need: PermissionNeed): Deno.PermissionDescriptor {
  switch (need.name) {
    case "net":
      return { name: "net", host: need.host };
    case "read":
      return { name: "read", path: need.path };
    case "write":
      return { name: "write", path: need.path };
    case "run":
      return { name: "run", command: need.command };
    case "env":
      return { name: "env", variable: need.variable };
  }
}

function descriptorOf(need: PermissionNeed): string {
  switch (need.name) {
    case "net":
      return need.host;
    case "run":
      return need.command;
    case "env":
      return need.variable;
    default:
      return need.path;
  }
}

function shownPath(text: string, need: PermissionNeed, cwd: string): string {
  return need.name === "read" || need.name === "write" ? shownFile(text, cwd) : text;
}

/** A path as the user would type it here: relative below the working directory. */
function shownFile(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  if (absolute === cwd) return ".";
  return inside(absolute, cwd) ? relative(cwd, absolute) : absolute;
}

function inside(path: string, folder: string): boolean {
  const rest = relative(folder, path);
  return rest === "" || (!rest.startsWith("..") && !isAbsolute(rest));
}

function unique(words: string[]): string[] {
  return [...new Set(words)];
}

/** A word quoted for sh when it holds anything but plain characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
