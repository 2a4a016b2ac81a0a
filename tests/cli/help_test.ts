/** The help text and the README list every exit code of the one table, lib/base/exit_codes.ts. */
import assert from "node:assert/strict";
import { EXIT, EXIT_MEANING, exitCodeTable } from "../../lib/base/exit_codes.ts";
import { commandHelp, exitCodesHelp, HELP } from "../../lib/cli/help.ts";
import { synfin } from "../support/cli.ts";

const README = new URL("../../README.md", import.meta.url);

Deno.test("help: --help lists every EXIT code with the start of its meaning", async () => {
  const run = await synfin(["--help"]);
  assert.equal(run.code, 0, run.stderr);
  const section = run.stdout.slice(run.stdout.indexOf("Exit codes:\n"));
  const listed = section.split("\n").filter((line) => /^ {2}\d/.test(line));
  assert.equal(listed.length, Object.keys(EXIT).length, section);
  for (const [name, code] of Object.entries(EXIT)) {
    const row = listed.find((line) => line.trim().split(/ +/)[0] === String(code));
    assert.ok(row, `--help does not list ${name} (${code})`);
    const firstWords = exitCodeTable().find((r) => r.code === code)!.meaning.slice(0, 20);
    assert.ok(row.includes(firstWords), `${row} does not start with ${firstWords}`);
  }
  assert.ok(HELP.includes(exitCodesHelp()), "the section comes from exitCodesHelp()");
  assert.match(section, /^ {2}70 {2}internal error/m);
});

Deno.test("help: the exit-code table is ordered by code, one row per EXIT entry", () => {
  const table = exitCodeTable();
  assert.deepEqual(table.map((row) => row.code), [0, 1, 2, 3, 4, 70, 130]);
  assert.equal(table.length, Object.keys(EXIT).length);
  for (const row of table) {
    assert.equal(EXIT[row.name], row.code);
    assert.equal(row.meaning, EXIT_MEANING[row.name]);
  }
  // Wrapped to the help text's width, continuation lines under the meaning.
  for (const line of exitCodesHelp().split("\n")) {
    assert.ok(line.length <= 86, `too long: ${line}`);
    assert.match(line, /^ {2}\d+ +\S|^ {6}\S/);
  }
});

Deno.test("help: the README's Exit codes section has a row for every EXIT code", async () => {
  const readme = await Deno.readTextFile(README);
  const start = readme.indexOf("### Exit codes");
  assert.ok(start >= 0, "README has no Exit codes section");
  const section = readme.slice(start, readme.indexOf("\n#", start + 1));
  const rows = [...section.matchAll(/^\| (\d+) +\|/gm)].map((match) => Number(match[1]));
  assert.deepEqual(rows, exitCodeTable().map((row) => row.code));
});

Deno.test("help: each command's --help prints its own options only", async (t) => {
  const only = {
    check: {
      has: ["--junit FILE", "--threshold EXPR", "--no-census"],
      not: ["--sessions", "--bound"],
    },
    load: {
      has: ["--sessions N", "--rate R", "--no-census"],
      not: ["--bound", "--list", "--strict"],
    },
    idle: {
      has: ["--bound DUR", "--connections N"],
      not: ["--sessions", "--junit", "--no-census"],
    },
  } as const;
  for (const [topic, { has, not }] of Object.entries(only)) {
    await t.step(topic, async () => {
      const run = await synfin([topic, "--help"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${commandHelp(topic as keyof typeof only)}\n`);
      for (const option of has) assert.ok(run.stdout.includes(option), `${topic}: no ${option}`);
      for (const option of not) assert.ok(!run.stdout.includes(option), `${topic}: ${option}`);
      assert.ok(run.stdout.includes(exitCodesHelp()), `${topic}: no exit codes`);
      assert.match(run.stdout, /-P=sandboxed/);
    });
  }
  await t.step("backlog", async () => {
    const run = await synfin(["backlog", "--help"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /--burst SPEC/);
    assert.doesNotMatch(run.stdout, /--sessions|--junit/);
  });
  await t.step("without a command, every command's", async () => {
    const run = await synfin(["--help"]);
    for (const option of ["--junit FILE", "--sessions N", "--bound DUR", "--burst SPEC"]) {
      assert.ok(run.stdout.includes(option), option);
    }
  });
});
