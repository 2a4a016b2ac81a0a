import assert from "node:assert/strict";
import {
  missingPermissions,
  type PermissionNeed,
  permissionProblem,
  SYNFIN_ROOT,
  workerModulesNeed,
  workingCommand,
} from "../../lib/cli/permissions.ts";

const ROOT = SYNFIN_ROOT!;
const NET: PermissionNeed = { name: "net", host: "127.0.0.1:8080", why: "the target" };

Deno.test("the worker modules are read from synfin's own folder", () => {
  assert.deepEqual(workerModulesNeed(), [{
    name: "read",
    path: `${ROOT}/lib/engine/worker.ts`,
    why: "synfin's own modules, which its workers load",
  }]);
});

Deno.test("missingPermissions queries each need once (the test set grants all)", () => {
  assert.deepEqual(missingPermissions([NET, NET, ...workerModulesNeed()]), []);
});

Deno.test("workingCommand: -P covers what lies in synfin's folder", () => {
  assert.equal(
    workingCommand([NET, ...workerModulesNeed()], ["load", "127.0.0.1:8080"], ROOT),
    "deno run -P cli.ts load 127.0.0.1:8080",
  );
  assert.equal(
    workingCommand(
      [{ name: "write", path: "out/x.json", why: "--json" }],
      ["--json", "out/x.json", "h:1"],
      ROOT,
    ),
    "deno run -P cli.ts --json out/x.json h:1",
  );
});

Deno.test("workingCommand: paths elsewhere are granted by flags, keeping synfin's folder", () => {
  const needs: PermissionNeed[] = [
    ...workerModulesNeed(),
    { name: "read", path: "/srv/ci/synfin.json", why: "--config" },
    { name: "write", path: "/srv/ci/junit.xml", why: "--junit" },
  ];
  assert.equal(
    workingCommand(needs, ["--config", "/srv/ci/synfin.json", "h:1"], ROOT),
    `deno run -P --allow-read=.,/srv/ci/synfin.json --allow-write=/srv/ci/junit.xml cli.ts ` +
      "--config /srv/ci/synfin.json h:1",
  );
  // From another folder: absolute paths, and synfin's deno.json named.
  assert.equal(
    workingCommand(needs, ["h:1"], "/srv/ci"),
    `deno run -P --allow-read=${ROOT},synfin.json --allow-write=junit.xml ` +
      `--config ${ROOT}/deno.json ${ROOT}/cli.ts h:1`,
  );
});

Deno.test("workingCommand: running a command takes the server-sockets set; words are quoted", () => {
  const needs: PermissionNeed[] = [{ name: "run", command: "timeout", why: "--server-sockets" }];
  assert.equal(
    workingCommand(needs, ["--server-sockets", "ssh db 'cat /proc/net/tcp'", "h:1"], ROOT),
    `deno run -P=server-sockets cli.ts --server-sockets 'ssh db '\\''cat /proc/net/tcp'\\''' h:1`,
  );
});

Deno.test("permissionProblem is one line: what is missing, why, and the command that works", () => {
  const line = permissionProblem(
    [NET, { name: "env", variable: "GITHUB_ACTIONS", why: "annotations" }],
    [NET],
    ["127.0.0.1:8080"],
    ROOT,
  );
  assert.equal(
    line,
    "Missing permissions: net access to 127.0.0.1:8080 (the target), env access to " +
      "GITHUB_ACTIONS (annotations); run: deno run -P cli.ts 127.0.0.1:8080",
  );
});
