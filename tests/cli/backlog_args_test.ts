/** The `backlog` command line: sweeps, comparisons, and usage errors naming the bad value. */
import assert from "node:assert/strict";
import { parseBacklogArgs } from "../../lib/cli/backlog_args.ts";
import { BACKLOG_HELP } from "../../lib/cli/help.ts";
import { BACKLOG_SWEEP_DEFAULTS } from "../../lib/backlog/sweep_options.ts";
import { UsageError } from "../../lib/base/errors.ts";

function usageError(argv: string[], why: RegExp): void {
  assert.throws(() => parseBacklogArgs(argv), (error: unknown) => {
    assert.ok(error instanceof UsageError, `${argv.join(" ")}: ${error}`);
    assert.equal(error.name, "UsageError");
    assert.match(error.message, why);
    return true;
  }, argv.join(" "));
}

Deno.test("parseBacklogArgs: a sweep of one target", async (t) => {
  await t.step("defaults: nothing set, the sweep's own defaults apply", () => {
    assert.deepEqual(parseBacklogArgs(["127.0.0.1:8080"]), {
      kind: "sweep",
      targets: [{ hostname: "127.0.0.1", port: 8080, label: "127.0.0.1:8080" }],
      sweep: {},
      jsonPaths: [],
    });
  });
  await t.step("every option", () => {
    const command = parseBacklogArgs([
      "--burst",
      "64..2048",
      "--hold",
      "2s",
      "--connect-timeout",
      "5s",
      "--drain",
      "10s",
      "--no-refine",
      "--server-sockets",
      "ssh web ss -tan",
      "--json",
      "out.json",
      "[::1]:9000",
    ]);
    assert.deepEqual(command, {
      kind: "sweep",
      targets: [{ hostname: "::1", port: 9000, label: "[::1]:9000" }],
      sweep: {
        sizes: [64, 128, 256, 512, 1024, 2048],
        holdMs: 2000,
        connectTimeoutMs: 5000,
        census: { drainMs: 10_000, serverSocketsCommand: "ssh web ss -tan" },
        refine: false,
      },
      jsonPaths: ["out.json"],
    });
  });
  await t.step(
    "--drain and --server-sockets give the census, with the sweep's drain default",
    () => {
      const sweep = (argv: string[]) => {
        const command = parseBacklogArgs([...argv, "h:1"]);
        return command.kind === "sweep" ? command.sweep : undefined;
      };
      assert.deepEqual(sweep(["--server-sockets", "ss -tan"]), {
        census: { drainMs: BACKLOG_SWEEP_DEFAULTS.drainMs, serverSocketsCommand: "ss -tan" },
      });
      assert.deepEqual(sweep(["--drain", "1s"]), { census: { drainMs: 1000 } });
    },
  );
  await t.step("burst lists and single sizes", () => {
    const list = parseBacklogArgs(["--burst", "400,100,200", "h:1"]);
    assert.equal(list.kind, "sweep");
    assert.deepEqual(list.kind === "sweep" && list.sweep.sizes, [100, 200, 400]);
    const one = parseBacklogArgs(["--burst=512", "h:1"]);
    assert.deepEqual(one.kind === "sweep" && one.sweep.sizes, [512]);
  });
  await t.step("--json - is stdout", () => {
    const command = parseBacklogArgs(["--json", "-", "h:1"]);
    assert.deepEqual(command.kind === "sweep" && command.jsonPaths, ["-"]);
  });
});

Deno.test("parseBacklogArgs: two targets, compare, help", async (t) => {
  await t.step("two targets are swept and compared, one --json each", () => {
    const command = parseBacklogArgs([
      "--json",
      "a.json",
      "127.0.0.1:8080",
      "--json",
      "b.json",
      "127.0.0.1:8081",
    ]);
    assert.equal(command.kind, "sweep");
    if (command.kind !== "sweep") return;
    assert.deepEqual(command.targets.map((target) => target.label), [
      "127.0.0.1:8080",
      "127.0.0.1:8081",
    ]);
    assert.deepEqual(command.jsonPaths, ["a.json", "b.json"]);
    const bare = parseBacklogArgs(["h:1", "h:2"]);
    assert.deepEqual(bare.kind === "sweep" && bare.jsonPaths, []);
  });
  await t.step("--compare takes two files, and --json for the comparison", () => {
    assert.deepEqual(parseBacklogArgs(["--compare", "b128.json", "b4096.json"]), {
      kind: "compare",
      files: ["b128.json", "b4096.json"],
      jsonPath: null,
    });
    assert.deepEqual(parseBacklogArgs(["a.json", "--compare", "b.json", "--json", "-"]), {
      kind: "compare",
      files: ["a.json", "b.json"],
      jsonPath: "-",
    });
  });
  await t.step("--help", () => {
    assert.deepEqual(parseBacklogArgs(["--help"]), { kind: "help" });
    assert.deepEqual(parseBacklogArgs(["-h", "h:1"]), { kind: "help" });
  });
});

Deno.test("parseBacklogArgs: usage errors name the bad value", () => {
  usageError([], /missing target: give HOST:PORT/);
  usageError(["a:1", "b:2", "c:3"], /one or two targets, got 3: a:1 b:2 c:3/);
  usageError(["localhost"], /Invalid target "localhost": no port/);
  usageError(
    ["a.json", "b.json"],
    /Invalid target "a\.json": a saved sweep\? Use backlog --compare/,
  );
  usageError(["--burst", "big", "h:1"], /Invalid --burst "big": "big" is not a whole number/);
  usageError(["--burst", "64..20000", "h:1"], /Invalid --burst "64\.\.20000": 20000 is outside/);
  usageError(["--hold", "soon", "h:1"], /Invalid --hold "soon"/);
  usageError(["--connect-timeout", "0s", "h:1"], /Invalid --connect-timeout "0s": must be more/);
  usageError(["--drain", "1x", "h:1"], /Invalid --drain "1x"/);
  usageError(["--server-sockets", " ", "h:1"], /Invalid --server-sockets ""/);
  usageError(["--json", "", "h:1"], /Invalid --json ""/);
  usageError(["--json", "a", "--json", "b", "h:1"], /Got 2 --json for 1 target: give --json once/);
  usageError(["--json", "a", "h:1", "h:2"], /Got 1 --json for 2 targets/);
  usageError(["--json", "-", "--json", "-", "h:1", "h:2"], /Only one --json can be -/);
  usageError(
    ["--compare", "a.json"],
    /--compare needs two saved sweeps \(A\.json B\.json\), got 1: a\.json/,
  );
  usageError(["--compare"], /--compare needs two saved sweeps \(A\.json B\.json\), got 0$/);
  usageError(["--compare", "--burst", "16", "a", "b"], /--burst does not apply to --compare/);
  usageError(["--compare", "--no-refine", "a", "b"], /--no-refine does not apply to --compare/);
  usageError(["--compare", "--json", "x", "--json", "y", "a", "b"], /give --json once/);
  usageError(["--rate", "5", "h:1"], /^backlog: Unknown option '--rate'/);
  usageError(["--hold"], /^backlog: Option '--hold <value>' argument missing/);
});

Deno.test("BACKLOG_HELP: every option, with the defaults it runs with", () => {
  for (
    const option of [
      "--burst SPEC",
      "--hold DUR",
      "--connect-timeout DUR",
      "--drain DUR",
      "--no-refine",
      "--server-sockets CMD",
      "--json FILE",
      "--compare A.json B.json",
    ]
  ) assert.ok(BACKLOG_HELP.includes(option), option);
  assert.ok(BACKLOG_HELP.includes(`default ${BACKLOG_SWEEP_DEFAULTS.holdMs}ms`));
  assert.ok(BACKLOG_HELP.includes(`default ${BACKLOG_SWEEP_DEFAULTS.drainMs / 1000}s`));
  assert.ok(BACKLOG_HELP.includes("default 16..4096"));
  for (const line of BACKLOG_HELP.split("\n")) assert.ok(line.length <= 88, line);
});
