/**
 * What is checked after parsing and before anything connects: the
 * permissions the command needs (one line naming what is missing and the
 * command that works), then that every report path can be written. Both
 * are usage errors, exit 2.
 *
 * @module
 */

import { join } from "node:path";
import type { Target } from "../base/target.ts";
import type { CensusChoice } from "../census/settings.ts";
import { DEFAULT_CONFIG_NAME, findDefaultConfig, loadConfig } from "../suite/config.ts";
import { planCheck } from "../suite/plan.ts";
import type { CliCommand } from "./args.ts";
import type { BacklogCommand } from "./backlog_args.ts";
import type { CheckCommand } from "./check_args.ts";
import { type LoadCommand, planLoad } from "./load_args.ts";
import { checkOutputPath } from "./output_paths.ts";
import { checkOutputDir, outputFiles } from "./extra_outputs.ts";
import {
  missingPermissions,
  type PermissionNeed,
  permissionProblem,
  workerModulesNeed,
} from "./permissions.ts";
import { UsageError } from "../base/errors.ts";

/** A command that runs: what {@link checkBeforeRun} looks at. */
export type RunningCommand = Exclude<CliCommand, { kind: "help" | "version" | "list" }>;

/** A report file and the option that named it. */
interface Output {
  path: string;
  option: string;
}

/**
 * Checks the permissions and report paths of `command` (parsed from `argv`,
 * the words after `cli.ts`) before it runs.
 *
 * @throws {UsageError} naming the missing permissions and the command that
 * works, or the report path that cannot be written, or a bad config file.
 * @example
 * ```ts
 * import { checkBeforeRun } from "./before_run.ts";
 * import { parseCli } from "./args.ts";
 * const argv = ["load", "--no-census", "127.0.0.1:8080"];
 * const command = parseCli(argv);
 * if (command.kind === "load") await checkBeforeRun(command, argv); // granted: passes
 * ```
 */
export async function checkBeforeRun(
  command: RunningCommand | BacklogCommand | { kind: "demo" },
  argv: readonly string[],
): Promise<void> {
  const { needs, outputs } = command.kind === "check"
    ? await checkNeeds(command)
    : command.kind === "load"
    ? await loadNeeds(command)
    : needsOf(command);
  if ("htmlPath" in command && command.htmlPath === "-") {
    throw new UsageError(
      "--html writes a file: give a path (stdout carries the text or JSON report)",
    );
  }
  const missing = missingPermissions(needs);
  if (missing.length > 0) throw new UsageError(permissionProblem(missing, needs, argv));
  for (const { path, option } of outputs) checkOutputPath(path, option);
  const hgrm = command.kind === "load" ? command.outputs?.hgrmDir : undefined;
  if (hgrm !== undefined) checkOutputDir(hgrm, "--hgrm");
}

function needsOf(
  command: Exclude<RunningCommand, CheckCommand | LoadCommand> | BacklogCommand | {
    kind: "demo";
  },
): { needs: PermissionNeed[]; outputs: Output[] } {
  switch (command.kind) {
    case "demo":
      return {
        needs: [{ name: "net", host: "127.0.0.1", why: "its servers" }, ...workerModulesNeed()],
        outputs: [],
      };
    case "idle": {
      const outputs = outputsOf([[command.jsonPath, "--json"]]);
      return { needs: [net(command.target), ...writes(outputs)], outputs };
    }
    case "sweep": {
      const outputs = outputsOf([
        ...command.jsonPaths.map((path): [string, string] => [path, "--json"]),
        [command.htmlPath, "--html"],
      ]);
      return {
        needs: [
          ...command.targets.map(net),
          ...workerModulesNeed(),
          ...writes(outputs),
          ...serverSockets(command.sweep.census ?? "off"),
        ],
        outputs,
      };
    }
    case "compare": {
      const outputs = outputsOf([
        [command.jsonPath ?? undefined, "--json"],
        [command.htmlPath, "--html"],
      ]);
      const reads = command.files.map((path): PermissionNeed => ({
        name: "read",
        path,
        why: "a saved sweep",
      }));
      return { needs: [...reads, ...writes(outputs)], outputs };
    }
    case "help":
      return { needs: [], outputs: [] };
  }
}

/**
 * `check` reads its config file first: the target, the reports and the
 * census command may come from it. Without read access to the file, the
 * needs the command line shows are all that can be named.
 */
async function checkNeeds(
  command: CheckCommand,
): Promise<{ needs: PermissionNeed[]; outputs: Output[] }> {
  const config = configNeed(command.configPath);
  // The report reads it at the end: unreadable, it would fail a finished run.
  const env: PermissionNeed = {
    name: "env",
    variable: "GITHUB_ACTIONS",
    why: "annotations on GitHub Actions",
  };
  const base = [...workerModulesNeed(), config, env];
  const { request, target } = command;
  if (missingPermissions([config]).length > 0) {
    const outputs = outputsOf([
      [request.jsonPath, "--json"],
      [request.junitPath, "--junit"],
      [command.htmlPath, "--html"],
    ]);
    const given = [...writes(outputs), ...serverSockets(request.census ?? "off")];
    return { needs: [...(target ? [net(target)] : []), ...base, ...given], outputs };
  }
  const path = command.configPath ?? await findDefaultConfig();
  const plan = planCheck(request, path === undefined ? {} : await loadConfig(path), target);
  const outputs = outputsOf([
    [plan.jsonPath, "--json"],
    [plan.junitPath, "--junit"],
    [command.htmlPath, "--html"],
  ]);
  return {
    needs: [net(plan.target), ...base, ...writes(outputs), ...serverSockets(plan.settings.census)],
    outputs,
  };
}

/**
 * `load` reads the config file too, as `check` does: its report and census
 * command may come from it (the target is always on the command line).
 */
async function loadNeeds(
  command: LoadCommand,
): Promise<{ needs: PermissionNeed[]; outputs: Output[] }> {
  const config = configNeed(command.configPath);
  let { jsonPath, junitPath, census } = command;
  if (missingPermissions([config]).length === 0) {
    const path = command.configPath ?? await findDefaultConfig();
    ({ jsonPath, junitPath, census } = planLoad(
      command,
      path === undefined ? {} : await loadConfig(path),
    ));
  }
  const outputs = outputsOf([
    [jsonPath, "--json"],
    [junitPath, "--junit"],
    [command.htmlPath, "--html"],
  ]);
  // Read in full before anything connects (lib/cli/load.ts); outside synfin's
  // folder the -P sets do not grant it, so the flag to add is named here.
  const payload: PermissionNeed[] = command.sendFile === undefined
    ? []
    : [{ name: "read", path: command.sendFile, why: "--send-file" }];
  const ca = command.tls?.caFile;
  if (ca !== undefined) payload.push({ name: "read", path: ca, why: "--tls-ca" });
  outputs.push(...outputFiles(command.outputs));
  const hgrm = command.outputs?.hgrmDir;
  if (hgrm !== undefined) payload.push({ name: "write", path: hgrm, why: "--hgrm" });
  return {
    needs: [
      net(command.target),
      ...workerModulesNeed(),
      config,
      ...payload,
      ...writes(outputs),
      ...serverSockets(census),
    ],
    outputs,
  };
}

/** Reading the config file: the one named, or `./synfin.json`, read when present. */
function configNeed(configPath: string | undefined): PermissionNeed {
  return {
    name: "read",
    path: configPath ?? join(Deno.cwd(), DEFAULT_CONFIG_NAME),
    why: configPath === undefined
      ? "the config file, read when present; or give --config FILE"
      : "--config",
  };
}

function net(target: Target): PermissionNeed {
  return { name: "net", host: `${hostOf(target)}:${target.port}`, why: "the target" };
}

/** Deno's net descriptor writes an IPv6 literal in brackets. */
function hostOf(target: Target): string {
  return target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname;
}

function outputsOf(given: [string | undefined, string][]): Output[] {
  return given.flatMap(([path, option]) =>
    path === undefined || path === "-" ? [] : [{ path, option }]
  );
}

function writes(outputs: Output[]): PermissionNeed[] {
  return outputs.map(({ path, option }) => ({ name: "write", path, why: option }));
}

function serverSockets(census: CensusChoice | Partial<{ serverSocketsCommand: string }>) {
  const command = census === "off" ? undefined : census.serverSocketsCommand;
  if (command === undefined) return [];
  // timeout(1) runs `sh -c CMD`: Deno checks the program it spawns, timeout.
  const need: PermissionNeed = { name: "run", command: "timeout", why: "--server-sockets" };
  return [need];
}
