// The shipped forms of the command: `deno task install` (a `deno install -g`
// shim with the default permission set) and `deno task compile` (one
// binary). Each must run `check` against a reference server, exit 0, from a
// folder other than synfin's.

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));
const CONFIG = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
const CHECK_ARGS = ["check", "-d", "1s", "--idle-bound", "1s", "--close-timeout", "500ms"];

/** Where `deno compile` finds its base binary: `DENORT_BIN`, or Deno's download cache. */
function denortAvailable(): boolean {
  if (Deno.env.get("DENORT_BIN")) return true;
  const info = new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .outputSync();
  const denoDir = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir as string;
  try {
    return [...Deno.readDirSync(`${denoDir}/dl/release/v${Deno.version.deno}`)]
      .some((entry) => entry.name.startsWith("denort-"));
  } catch {
    return false;
  }
}

async function run(command: string, args: string[], options: Deno.CommandOptions = {}) {
  const output = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs `check` with `binary` from an empty folder; asserts exit 0 on the engine asked for. */
async function checkPasses(binary: string, env: Record<string, string>) {
  await using server = await startReferenceServer("well-behaved");
  const cwd = await Deno.makeTempDir({ prefix: "synfin-cwd-" });
  try {
    const engine = Deno.env.get("SYNFIN_ENGINE") ?? "";
    const result = await run(binary, [...CHECK_ARGS, server.target.label], {
      cwd,
      env: { ...env, SYNFIN_ENGINE: engine },
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /PASS\s+MUST\s+linger\/no-close-wait/, "the census ran (cat, ss)");
    // The raw engine ran through libc: FFI was granted (no fallback to deno).
    if (engine !== "deno") assert.doesNotMatch(result.stderr, /using --engine deno/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

Deno.test("the install task's flags are the default permission set", () => {
  const task: string = CONFIG.tasks.install;
  const set = CONFIG.permissions.default;
  const flag = (name: string) => new RegExp(`--allow-${name}=([^ ]+)`).exec(task)?.[1].split(",");
  assert.match(task, /^deno install -g -f --config deno\.json -n synfin /);
  assert.match(task, / --allow-net /);
  assert.deepEqual(flag("read"), ["$PWD", "synfin.json"]);
  assert.deepEqual(flag("write"), ["$PWD"]);
  for (const kind of ["env", "sys", "run", "ffi"]) assert.deepEqual(flag(kind), set[kind], kind);
  assert.deepEqual([set.net, set.read, set.write], [true, ["."], ["."]]);
});

Deno.test("deno task install makes a synfin command that runs check, exit 0", async () => {
  const root = await Deno.makeTempDir({ prefix: "synfin-install-" });
  try {
    const path = `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`;
    const install = await run(Deno.execPath(), ["task", "-q", "install"], {
      cwd: ROOT,
      env: { DENO_INSTALL_ROOT: root, PATH: path },
    });
    assert.equal(install.code, 0, install.stderr);
    const shim = await Deno.readTextFile(`${root}/bin/synfin`);
    assert.match(shim, /--allow-ffi=/, shim);
    await checkPasses(`${root}/bin/synfin`, { PATH: path });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "deno task compile makes a binary that runs check, exit 0",
  // deno compile starts from denort, which it downloads from Deno's own
  // servers (not a package registry): where that cannot be reached and
  // DENORT_BIN is not set, there is no binary to test.
  ignore: !denortAvailable(),
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "synfin-compile-" });
    try {
      const task = (CONFIG.tasks.compile as string).replace("-o dist/synfin", `-o ${out}/synfin`);
      assert.notEqual(task, CONFIG.tasks.compile, "the task writes dist/synfin");
      const [command, ...args] = task.split(" ");
      assert.equal(command, "deno");
      const compile = await run(Deno.execPath(), args, { cwd: ROOT });
      assert.equal(compile.code, 0, compile.stderr);
      await checkPasses(`${out}/synfin`, {});
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
