import assert from "node:assert/strict";
import { parseCli } from "../../lib/cli/args.ts";
import { parseBacklogArgs } from "../../lib/cli/backlog_args.ts";
import { checkBeforeRun } from "../../lib/cli/before_run.ts";

/** Parses `argv` as main does and runs the checks before a run. */
function before(argv: string[]): Promise<void> {
  if (argv[0] === "backlog") return checkBeforeRun(parseBacklogArgs(argv.slice(1)), argv);
  const command = parseCli(argv);
  assert.ok(command.kind === "check" || command.kind === "load" || command.kind === "idle");
  return checkBeforeRun(command, argv);
}

async function withConfig(config: unknown, body: (path: string) => Promise<void>) {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, JSON.stringify(config));
    await body(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("checkBeforeRun passes a command whose reports can be written", async () => {
  await before(["load", "--json", "-", "127.0.0.1:1"]);
  await before(["idle", "127.0.0.1:1"]);
  await withConfig({ target: "127.0.0.1:1" }, (path) => before(["--config", path]));
});

Deno.test("checkBeforeRun refuses a report path that cannot be written, on every command", async () => {
  const bad = "/nonexistent/dir/x.json";
  const message = (option: string) =>
    `Cannot write ${option} ${bad}: no such file or directory (ENOENT); give a writable path`;
  for (
    const [argv, option] of [
      [["load", "--json", bad, "127.0.0.1:1"], "--json"],
      [["idle", "--json", bad, "127.0.0.1:1"], "--json"],
      [["check", "--junit", bad, "127.0.0.1:1"], "--junit"],
      [["backlog", "--json", bad, "127.0.0.1:1"], "--json"],
    ] as const
  ) {
    await assert.rejects(before([...argv]), { name: "UsageError", message: message(option) });
  }
});

Deno.test("checkBeforeRun reads check's config file: its reports and thresholds too", async () => {
  await withConfig(
    { target: "127.0.0.1:1", junit: "/nonexistent/dir/x.json" },
    (path) =>
      assert.rejects(before(["--config", path]), {
        name: "UsageError",
        message: /^Cannot write --junit \/nonexistent\/dir\/x\.json: no such file/,
      }),
  );
  // The command line's report wins over the file's, so only it is checked.
  await withConfig(
    { target: "127.0.0.1:1", junit: "/nonexistent/dir/x.json" },
    (path) => before(["--config", path, "--junit", "-"]),
  );
  await withConfig(
    { thresholds: ["handshake.p999<5ms"] },
    (path) =>
      assert.rejects(before(["--config", path, "127.0.0.1:1"]), {
        name: "UsageError",
        message: /unknown metric "handshake\.p999"; did you mean "handshake\.p99\.9"\?/,
      }),
  );
});

Deno.test("checkBeforeRun reads load's config file: its report and thresholds too", async () => {
  await withConfig(
    { json: "/nonexistent/dir/x.json" },
    (path) =>
      assert.rejects(before(["load", "--config", path, "127.0.0.1:1"]), {
        name: "UsageError",
        message: /^Cannot write --json \/nonexistent\/dir\/x\.json: no such file/,
      }),
  );
  // The command line's report wins over the file's, so only it is checked.
  await withConfig(
    { json: "/nonexistent/dir/x.json" },
    (path) => before(["load", "--config", path, "--json", "-", "127.0.0.1:1"]),
  );
  await withConfig(
    { thresholds: ["handshake.p999<5ms"] },
    (path) =>
      assert.rejects(before(["load", "--config", path, "127.0.0.1:1"]), {
        name: "UsageError",
        message: /unknown metric "handshake\.p999"; did you mean "handshake\.p99\.9"\?/,
      }),
  );
  await assert.rejects(before(["load", "--config", "/nonexistent/c.json", "127.0.0.1:1"]), {
    name: "UsageError",
    message: "Invalid config /nonexistent/c.json: no such file",
  });
});
