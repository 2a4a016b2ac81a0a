/**
 * One generator process seen from the parent: spawned with synfin's own
 * permissions (`-P` with its `deno.json`), fed its share as one JSON line on
 * stdin, read line by line on stdout, stopped by closing its stdin, and
 * judged at exit: a generator that exits without its report is a
 * {@link GeneratorError} naming it and why, never a silent undercount.
 * Internal to `generator_run.ts`.
 *
 * @module
 */

import { GeneratorError } from "../base/errors.ts";
import type { FromGenerator, GeneratorReport, GeneratorStart } from "./generators.ts";

const STDERR_TAIL_BYTES = 2000;

/**
 * The `deno run` command line of a generator: program and arguments, with
 * `v8Flags` (see `generatorV8Flags`) passed to its V8.
 *
 * @example
 * ```ts
 * import { generatorCommand } from "./generator_process.ts";
 * const { args } = generatorCommand(new URL("./generator_main.ts", import.meta.url));
 * console.assert(args[0] === "run" && args.at(-1)!.endsWith("generator_main.ts"));
 * const lite = generatorCommand(new URL("./generator_main.ts", import.meta.url), ["--lite-mode"]);
 * console.assert(lite.args.includes("--v8-flags=--lite-mode"));
 * ```
 */
export function generatorCommand(
  entry: URL,
  v8Flags: readonly string[] = [],
): { program: string; args: string[] } {
  const program = denoProgram();
  const config = configOf(entry);
  const flags = config !== undefined
    ? ["-P", "--config", config]
    : ["--allow-net", "--allow-read", "--allow-env", "--allow-ffi"];
  const v8 = v8Flags.length > 0 ? [`--v8-flags=${v8Flags.join(",")}`] : [];
  return { program, args: ["run", "-q", ...v8, ...flags, entry.href] };
}

/**
 * The program to start Deno itself with: `Deno.execPath()`, or `deno` when
 * only that name is granted. The default permission set may grant `deno` by
 * name only, and Deno does not resolve the symlink a PATH lookup goes
 * through to `Deno.execPath()`.
 *
 * @example
 * ```ts
 * import { denoProgram } from "./generator_process.ts";
 * console.assert(denoProgram() === Deno.execPath() || denoProgram() === "deno");
 * ```
 */
export function denoProgram(): string {
  const exec = Deno.execPath();
  const granted = (command: string) =>
    Deno.permissions.querySync({ name: "run", command }).state === "granted";
  return granted(exec) || !granted("deno") ? exec : "deno";
}

/** The `deno.json` Deno itself would find for `entry`: the nearest one up its folders. */
function configOf(entry: URL): string | undefined {
  if (entry.protocol !== "file:") return undefined;
  for (let folder = new URL(".", entry);; folder = new URL("..", folder)) {
    const candidate = new URL("deno.json", folder);
    try {
      if (Deno.statSync(candidate).isFile) return decodeURIComponent(candidate.pathname);
    } catch {
      // Not here: look further up.
    }
    if (new URL("..", folder).href === folder.href) return undefined;
  }
}

/**
 * A running generator.
 *
 * @example
 * ```ts
 * import { GeneratorProcess } from "./generator_process.ts";
 * import { generatorStart } from "./generators.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const entry = new URL("./generator_main.ts", import.meta.url);
 * const generator = new GeneratorProcess(0, 1, entry, () => {});
 * await generator.ready;
 * await generator.start(generatorStart(
 *   server.target,
 *   { concurrency: 2, sessions: 6, durationMs: null, rate: null },
 *   { holdMs: 0, connectTimeoutMs: 3000, closeTimeoutMs: 2000 },
 *   "raw",
 *   [],
 * ));
 * const report = await generator.finished;
 * console.assert(report.tally.outcomes.clean === 6);
 * ```
 */
export class GeneratorProcess {
  readonly index: number;
  readonly #of: number;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #stdinClosed: Promise<void> | undefined;
  #stderrTail = "";
  #report: GeneratorReport | undefined;
  #protocolError: string | undefined;
  /** Resolves at the generator's "ready" line; rejects if it exits before. */
  readonly ready: Promise<void>;
  /** Resolves with its report when it exited after reporting; rejects otherwise. */
  readonly finished: Promise<GeneratorReport>;
  /** Resolves when the process has exited and its pipes are drained (never rejects). */
  readonly exited: Promise<void>;

  /**
   * Spawns generator `index` of `of`, its V8 run with `v8Flags`;
   * `onProgress` gets each progress line.
   */
  constructor(
    index: number,
    of: number,
    entry: URL,
    onProgress: (p: { completed: number; failed: number; inFlight: number }) => void,
    v8Flags: readonly string[] = [],
  ) {
    this.index = index;
    this.#of = of;
    const { program, args } = generatorCommand(entry, v8Flags);
    try {
      this.#child = new Deno.Command(program, {
        args,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (cause) {
      const denied = cause instanceof Deno.errors.NotCapable
        ? `: permission to run deno is needed (--allow-run=deno, or "deno" in the run list of ` +
          `the permission set)`
        : `: ${(cause as Error).message}`;
      throw new GeneratorError(
        `generator ${index + 1} of ${of} could not be started (${program})${denied}`,
        { generator: index, cause },
      );
    }
    this.#stdin = this.#child.stdin.getWriter();
    let onReady = () => {};
    this.ready = new Promise<void>((resolve) => onReady = resolve);
    const stdout = this.#readLines((message) => {
      if (message.kind === "ready") onReady();
      else if (message.kind === "progress") onProgress(message);
      else if (message.kind === "done") this.#report = message.report;
    });
    const stderr = this.#readStderr();
    const status = this.#child.status;
    // Its stdin is closed once it exited, so nothing is left open.
    this.exited = Promise.all([stdout, stderr, status]).then(() => this.#closeStdin());
    this.finished = this.exited.then(async () => {
      const report = this.#report;
      if (report !== undefined) return report;
      throw new GeneratorError(this.#whyNoReport(await status), { generator: index });
    });
    // Ready never comes from a process that exited first: say why instead.
    this.ready = Promise.race([
      this.ready,
      this.finished.then(() => {
        throw new GeneratorError(`${this.#name()} exited before it was ready`, {
          generator: index,
        });
      }),
    ]);
    // Every caller handles these; a stray rejection must not end the process.
    this.ready.catch(() => {});
    this.finished.catch(() => {});
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Sends its share. */
  async start(start: GeneratorStart): Promise<void> {
    const line = new TextEncoder().encode(JSON.stringify(start) + "\n");
    await this.#stdin.write(line).catch(() => {}); // an exit is judged by `finished`
  }

  /** Asks it to stop (closes its stdin); it still reports what it measured. */
  stop(): void {
    this.#closeStdin();
  }

  #closeStdin(): Promise<void> {
    this.#stdinClosed ??= this.#stdin.close().catch(() => {});
    return this.#stdinClosed;
  }

  /** Ends it at once (a wedged or orphaned generator). */
  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }

  /** "generator 2 of 6 (pid 1234)". */
  #name(): string {
    return `generator ${this.index + 1} of ${this.#of} (pid ${this.#child?.pid ?? "none"})`;
  }

  #whyNoReport(status: Deno.CommandStatus): string {
    const how = status.signal !== null
      ? `was killed by ${status.signal}${status.signal === "SIGKILL" ? " (out of memory?)" : ""}`
      : `exited with code ${status.code}`;
    const tail = this.#stderrTail.trim().split("\n").filter((l) => l.trim() !== "").slice(-3);
    const said = this.#protocolError ??
      (tail.length > 0 ? `; its last words: ${tail.join(" | ")}` : "; it printed nothing");
    return `${this.#name()} ${how} before reporting its measurements${said}`;
  }

  async #readLines(onMessage: (message: FromGenerator) => void): Promise<void> {
    let buffered = "";
    for await (const chunk of decodedChunks(this.#child.stdout)) {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim() === "") continue;
        try {
          onMessage(JSON.parse(line) as FromGenerator);
        } catch {
          this.#protocolError ??= `; it wrote a line that is not a message: ${line.slice(0, 200)}`;
        }
      }
    }
  }

  async #readStderr(): Promise<void> {
    for await (const chunk of decodedChunks(this.#child.stderr)) {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    }
  }
}

/** Bytes a pipe's read may fill at most: a progress line is ~200. */
const PIPE_READ_BYTES = 4096;

/**
 * A child's pipe as text, read into one reused buffer. Reading it as a
 * plain stream allocates a fresh 64 KiB buffer per read, freed only by a
 * major GC: during a 20 s hold of 100,000 connections the parent's
 * `external` memory grew 2.7 -> 21 MB and its VmRSS 75 -> 94 MB from six
 * generators' progress lines (four a second each).
 */
async function* decodedChunks(pipe: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = pipe.getReader({ mode: "byob" });
  const decoder = new TextDecoder();
  let buffer = new ArrayBuffer(PIPE_READ_BYTES);
  try {
    while (true) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (done || value === undefined) break;
      yield decoder.decode(value, { stream: true });
      buffer = value.buffer; // the read transferred it: take it back for the next one
    }
    const rest = decoder.decode();
    if (rest !== "") yield rest;
  } finally {
    reader.releaseLock();
  }
}
