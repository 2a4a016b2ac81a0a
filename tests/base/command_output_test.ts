import assert from "node:assert/strict";
import { exitedWith, runCommand } from "../../lib/base/command_output.ts";
import { CommandSpawnError } from "../../lib/base/errors.ts";

Deno.test("runCommand captures stdout, the first stderr line and the exit code", async () => {
  const ok = await runCommand("sh", ["-c", "printf 'a\\nb\\n'"]);
  assert.deepEqual(ok, { stdout: "a\nb\n", stderrLine: "", code: 0, success: true });
  const failed = await runCommand("sh", ["-c", "echo first >&2; echo second >&2; exit 3"]);
  assert.deepEqual(failed, { stdout: "", stderrLine: "first", code: 3, success: false });
  assert.equal(exitedWith("sh -c ...", failed), "sh -c ... exited with code 3: first");
  assert.equal(
    exitedWith("x", { stdout: "", stderrLine: "", code: 1, success: false }),
    "x exited with code 1",
  );
});

Deno.test("runCommand: a missing command is a CommandSpawnError that says so", async () => {
  await assert.rejects(runCommand("no-such-command-synfin", []), (error: unknown) => {
    assert.ok(error instanceof CommandSpawnError);
    assert.equal(error.name, "CommandSpawnError");
    assert.equal(error.message, "no-such-command-synfin is not installed or not on PATH");
    assert.ok(error.cause instanceof Deno.errors.NotFound);
    return true;
  });
});

Deno.test({
  name: "runCommand: a command not permitted says which permission to grant",
  permissions: { run: ["sh"] },
  fn: async () => {
    await assert.rejects(runCommand("cat", ["/dev/null"]), (error: unknown) => {
      assert.ok(error instanceof CommandSpawnError);
      assert.equal(error.message, "not allowed to run cat (grant --allow-run=cat)");
      assert.ok(error.cause instanceof Deno.errors.NotCapable);
      return true;
    });
  },
});
