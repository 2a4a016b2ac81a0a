/**
 * The layout's two rules, read from the source itself: imports point only
 * down the subsystem ladder (docs/architecture.md), and no source file grows
 * past about 350 lines.
 *
 * @module
 */

import { deepEqual as assertEquals } from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * Each folder's rung. A file may import its own folder or a folder on a
 * strictly lower rung; two folders on one rung (suite and backlog) may not
 * import each other.
 */
const RUNG: Record<string, number> = {
  "lib/base": 0,
  "lib/testing": 1,
  "lib/engine": 1,
  "lib/census": 2,
  "lib/suite": 3,
  "lib/backlog": 3,
  "scenarios": 4,
  "lib/report": 5,
  "lib/cli": 6,
  ".": 7,
};

const MAX_LINES = 360;

function folderOf(path: string): string {
  const rel = relative(ROOT, path);
  const top = rel.split("/")[0];
  if (top === "lib") return rel.split("/").slice(0, 2).join("/");
  if (!rel.includes("/")) return ".";
  return top;
}

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

async function layoutFiles(): Promise<string[]> {
  const files = [join(ROOT, "mod.ts"), join(ROOT, "cli.ts")];
  for (const dir of ["lib", "scenarios"]) {
    for await (const file of sourceFiles(join(ROOT, dir))) files.push(file);
  }
  return files.sort();
}

/** The relative specifiers a module loads: static and dynamic imports, re-exports, worker URLs. */
export function importsOf(source: string): string[] {
  // Doc comments hold examples whose imports are not the module's own.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /\bfrom\s+"(\.[^"]+)"/g,
    /\bimport\s+"(\.[^"]+)"/g,
    /\bimport\(\s*"(\.[^"]+)"\s*\)/g,
    /new URL\(\s*"(\.[^"]+)"\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

Deno.test("layout: every import points down the subsystem ladder", async () => {
  const upward: string[] = [];
  for (const file of await layoutFiles()) {
    const from = folderOf(file);
    const fromRung = RUNG[from];
    if (fromRung === undefined) {
      upward.push(`${relative(ROOT, file)}: folder ${from} has no rung`);
      continue;
    }
    for (const specifier of importsOf(await Deno.readTextFile(file))) {
      const to = folderOf(resolve(dirname(file), specifier));
      if (to === from) continue;
      const toRung = RUNG[to];
      if (toRung === undefined || toRung >= fromRung) {
        upward.push(`${relative(ROOT, file)} (${from}) imports ${specifier} (${to})`);
      }
    }
  }
  assertEquals(upward, []);
});

Deno.test("layout: the import reader sees imports, re-exports and worker URLs but not examples", () => {
  const source = [
    "/**",
    ' * import { x } from "../report/mod.ts";',
    " */",
    'import { a } from "./a.ts";',
    'export { b } from "../base/b.ts";',
    'import type { C } from "../census/c.ts";',
    'new Worker(new URL("./worker.ts", import.meta.url));',
    '// import { d } from "../cli/d.ts";',
  ].join("\n");
  assertEquals(importsOf(source).sort(), [
    "../base/b.ts",
    "../census/c.ts",
    "./a.ts",
    "./worker.ts",
  ]);
});

Deno.test(`layout: no source file is longer than ${MAX_LINES} lines`, async () => {
  const long: string[] = [];
  for (const file of await layoutFiles()) {
    const lines = (await Deno.readTextFile(file)).split("\n").length;
    if (lines > MAX_LINES) long.push(`${relative(ROOT, file)}: ${lines}`);
  }
  assertEquals(long, []);
});
