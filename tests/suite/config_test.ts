import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_CONFIG_NAME, findDefaultConfig, loadConfig } from "../../lib/suite/config.ts";
import { UsageError } from "../../lib/base/errors.ts";

/** Writes `text` to a temp file, runs `body` with its path, removes the file. */
async function withConfig(text: string, body: (path: string) => Promise<void>): Promise<void> {
  const path = await Deno.makeTempFile({ prefix: "synfin-config-", suffix: ".json" });
  try {
    await Deno.writeTextFile(path, text);
    await body(path);
  } finally {
    await Deno.remove(path);
  }
}

/** Asserts that loading `text` fails with `Invalid config <path>: <problem>`. */
async function rejects(text: string, problem: string): Promise<void> {
  await withConfig(text, async (path) => {
    await assert.rejects(loadConfig(path), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.name, "UsageError");
      assert.equal(error.message, `Invalid config ${path}: ${problem}`);
      assert.equal(error.message.includes("\n"), false);
      return true;
    });
  });
}

const FULL = {
  target: "127.0.0.1:8080",
  cases: ["close", "handshake/backlog"],
  skip: ["close/linger-zero"],
  strict: true,
  thresholds: ["handshake.p99<5ms", "outcome.reset < 0.1%", "server.closeWait==0"],
  junit: "out/synfin.xml",
  json: "out/synfin.json",
  connectTimeout: "3s",
  closeTimeout: "2s",
  drain: "500ms",
  duration: "1m",
  concurrency: 200,
  serverSockets: "ssh db cat /proc/net/tcp",
};

Deno.test("loadConfig reads every key as written", async (t) => {
  await t.step("all keys", async () => {
    await withConfig(JSON.stringify(FULL, null, 2), async (path) => {
      assert.deepEqual(await loadConfig(path), FULL);
    });
  });
  await t.step("an empty object is an empty config", async () => {
    await withConfig("{}", async (path) => {
      assert.deepEqual(await loadConfig(path), {});
    });
  });
  await t.step("some keys, and a byte order mark", async () => {
    await withConfig('\uFEFF{"strict": false, "cases": []}', async (path) => {
      assert.deepEqual(await loadConfig(path), { strict: false, cases: [] });
    });
  });
});

Deno.test("loadConfig rejects a bad file with a UsageError naming file and key", async (t) => {
  const cases: [string, string, string][] = [
    [
      "unknown key",
      '{"treshold": ["handshake.p99<5ms"]}',
      'unknown key "treshold" (known: target, cases, skip, strict, thresholds, junit, json, ' +
      "connectTimeout, closeTimeout, drain, duration, concurrency, serverSockets)",
    ],
    [
      "thresholds not an array",
      '{"thresholds": "handshake.p99<5ms"}',
      '"thresholds" must be an array of strings',
    ],
    ["thresholds of numbers", '{"thresholds": [5]}', '"thresholds" must be an array of strings'],
    [
      "a bad threshold",
      '{"thresholds": ["close.p99<50ms", "handshake.p99<<5ms"]}',
      '"thresholds" item 2 is invalid: invalid threshold "handshake.p99<<5ms": ' +
      'unknown operator "<<" (use <, <=, >, >=, == or !=); ' +
      'expected METRIC OP VALUE, e.g. "handshake.p99<5ms"',
    ],
    [
      "a threshold without a unit",
      '{"thresholds": ["handshake.p99<5"]}',
      '"thresholds" item 1 is invalid: invalid threshold "handshake.p99<5": ' +
      'handshake.p99 is a duration: add a unit, e.g. "handshake.p99<5ms"',
    ],
    ["cases not an array", '{"cases": "close"}', '"cases" must be an array of strings'],
    ["an empty case", '{"skip": ["close", ""]}', '"skip" item 2 is empty'],
    ["strict as a string", '{"strict": "yes"}', '"strict" must be true or false'],
    ["target a number", '{"target": 8080}', '"target" must be a non-empty string'],
    ["target empty", '{"target": ""}', '"target" must be a non-empty string'],
    [
      "target without a port",
      '{"target": "localhost"}',
      '"target" is invalid: invalid target "localhost": no port; ' +
      "use HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080",
    ],
    ["junit null", '{"junit": null}', '"junit" must be a non-empty string'],
    ["json an object", '{"json": {}}', '"json" must be a non-empty string'],
    ["duration a number", '{"duration": 10}', '"duration" must be a duration string, e.g. "2s"'],
    [
      "a bad duration",
      '{"drain": "2x"}',
      '"drain" is invalid: invalid duration "2x": use e.g. 500ms, 10s or 1m',
    ],
    [
      "connectTimeout",
      '{"connectTimeout": "soon"}',
      '"connectTimeout" is invalid: invalid duration "soon": use e.g. 500ms, 10s or 1m',
    ],
    [
      "closeTimeout",
      '{"closeTimeout": ["2s"]}',
      '"closeTimeout" must be a duration string, e.g. "2s"',
    ],
    ["concurrency 0", '{"concurrency": 0}', '"concurrency" must be a whole number above 0'],
    ["concurrency 1.5", '{"concurrency": 1.5}', '"concurrency" must be a whole number above 0'],
    ["concurrency string", '{"concurrency": "10"}', '"concurrency" must be a whole number above 0'],
    ["an array", "[]", 'expected a JSON object, e.g. {"target": "127.0.0.1:8080"}'],
    ["null", "null", 'expected a JSON object, e.g. {"target": "127.0.0.1:8080"}'],
    ["a string", '"x"', 'expected a JSON object, e.g. {"target": "127.0.0.1:8080"}'],
  ];
  for (const [name, text, problem] of cases) {
    await t.step(name, () => rejects(text, problem));
  }

  await t.step("unparseable JSON, on one line", async () => {
    for (const text of ["", "{", '{"target": "a:1",}', "{\n  target: 1\n}", "// c\n{}"]) {
      await withConfig(text, async (path) => {
        await assert.rejects(loadConfig(path), (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.match(
            error.message,
            new RegExp(`^Invalid config ${path}: not valid JSON \\(.+\\)$`),
          );
          assert.equal(error.message.includes("\n"), false, error.message);
          assert.ok(error.cause instanceof SyntaxError);
          return true;
        });
      });
    }
  });

  await t.step("a missing file", async () => {
    const dir = await Deno.makeTempDir({ prefix: "synfin-config-" });
    try {
      const path = join(dir, "nope.json");
      await assert.rejects(loadConfig(path), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.equal(error.message, `Invalid config ${path}: no such file`);
        assert.ok(error.cause instanceof Deno.errors.NotFound);
        return true;
      });
      await assert.rejects(loadConfig(dir), {
        name: "UsageError",
        message: `Invalid config ${dir}: it is a directory`,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("findDefaultConfig finds synfin.json in a directory", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "synfin-config-" });
  try {
    await t.step("absent", async () => {
      assert.equal(await findDefaultConfig(dir), undefined);
    });
    await t.step("a directory of that name is not a config", async () => {
      await Deno.mkdir(join(dir, DEFAULT_CONFIG_NAME));
      assert.equal(await findDefaultConfig(dir), undefined);
      await Deno.remove(join(dir, DEFAULT_CONFIG_NAME));
    });
    await t.step("present", async () => {
      await Deno.writeTextFile(join(dir, "synfin.json"), "{}");
      assert.equal(await findDefaultConfig(dir), `${dir}/synfin.json`);
      assert.equal(await findDefaultConfig(`${dir}/`), `${dir}/synfin.json`);
      assert.deepEqual(await loadConfig((await findDefaultConfig(dir))!), {});
    });
    await t.step("the default directory is the working directory", async () => {
      assert.equal(await findDefaultConfig(), await findDefaultConfig(Deno.cwd()));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
