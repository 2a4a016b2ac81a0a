import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_CONFIG_NAME, findDefaultConfig, loadConfig } from "../../lib/suite/config.ts";
import { UsageError } from "../../lib/base/errors.ts";
import { parseCli } from "../../lib/cli/args.ts";

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
      "connectTimeout, closeTimeout, drain, duration, concurrency, sessions, rate, hold, send, " +
      "serverSockets, tags, stages, tls, tlsCa, tlsServername)",
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
    [
      "a bad duration",
      '{"drain": "2x"}',
      '"drain" is invalid: invalid --drain "2x": use e.g. 500ms, 10s or 1m',
    ],
    [
      "connectTimeout",
      '{"connectTimeout": "soon"}',
      '"connectTimeout" is invalid: invalid --connect-timeout "soon": use e.g. 500ms, 10s or 1m',
    ],
    [
      "closeTimeout",
      '{"closeTimeout": ["2s"]}',
      '"closeTimeout" must be a duration, e.g. "2s" or 5 (seconds)',
    ],
    [
      "concurrency 0",
      '{"concurrency": 0}',
      '"concurrency" is invalid: invalid --concurrency "0": give a whole number from 1 to 10000',
    ],
    [
      "concurrency 1.5",
      '{"concurrency": 1.5}',
      '"concurrency" is invalid: invalid --concurrency "1.5": give a whole number from 1 to 10000',
    ],
    ["concurrency string", '{"concurrency": "10"}', '"concurrency" must be a number, e.g. 50'],
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

Deno.test("loadConfig checks values with the flags' own checks and words", async (t) => {
  const cases: [string, string, string][] = [
    // Without a bound, 1e9 sessions grew without limit (2.8 GB, 144 threads in 8 s).
    ["concurrency 1e9", '{"concurrency": 1e9}', '"1000000000"'],
    ["concurrency past -c's cap", '{"concurrency": 20000}', '"20000"'],
    ["concurrency negative", '{"concurrency": -5}', '"-5"'],
  ];
  for (const [name, text, value] of cases) {
    await t.step(name, async () => {
      let flag = "";
      try {
        parseCli(["-c", value.slice(1, -1), "127.0.0.1:8080"]);
      } catch (error) {
        flag = (error as Error).message;
      }
      assert.match(flag, /^Invalid --concurrency /);
      await rejects(text, `"concurrency" is invalid: ${flag.replace(/^Invalid/, "invalid")}`);
    });
  }
  await t.step("a duration of 0 is refused as -d 0s is", () =>
    rejects(
      '{"duration": "0s"}',
      '"duration" is invalid: invalid --duration "0s": must be more than 0',
    ));
  await t.step("a duration past the timers' range is refused", () =>
    rejects(
      '{"closeTimeout": "2147483s"}',
      '"closeTimeout" is invalid: invalid --close-timeout "2147483s": at most 24h ' +
        "(longer waits overflow synfin's timers)",
    ));
  await t.step("a drain of 0 is allowed, as --drain 0 is", async () => {
    await withConfig('{"drain": "0s"}', async (path) => {
      assert.equal((await loadConfig(path)).drain, "0s");
    });
  });
  await t.step("a number of seconds is a duration, as -d 5 is", async () => {
    await withConfig('{"duration": 5, "connectTimeout": 0.5}', async (path) => {
      const config = await loadConfig(path);
      assert.equal(config.duration, "5");
      assert.equal(config.connectTimeout, "0.5");
    });
  });
  await t.step("a threshold on an unknown metric is refused, with the nearest name", () =>
    rejects(
      '{"thresholds": ["server.closewait==0"]}',
      '"thresholds" item 1 is invalid: invalid threshold "server.closewait==0": unknown metric ' +
        '"server.closewait"; did you mean "server.closeWait"?',
    ));
});

Deno.test("loadConfig reads the keys of load: sessions, rate, hold, send", async (t) => {
  await t.step("good values are kept as written (durations as text)", async () => {
    const text = '{"sessions": 500, "rate": 250.5, "hold": "20ms", "send": "PING\\\\r\\\\n"}';
    await withConfig(text, async (path) => {
      assert.deepEqual(await loadConfig(path), {
        sessions: 500,
        rate: 250.5,
        hold: "20ms",
        send: "PING\\r\\n",
      });
    });
  });
  await t.step("a hold of 0 is allowed, as --hold 0 is", async () => {
    await withConfig('{"hold": 0}', async (path) => {
      assert.equal((await loadConfig(path)).hold, "0");
    });
  });
  await t.step("sessions are checked as -n is", () =>
    rejects(
      '{"sessions": 0}',
      '"sessions" is invalid: invalid --sessions "0": give a whole number from 1 to 100000000',
    ));
  await t.step("a rate must be a positive number", () =>
    rejects(
      '{"rate": "fast"}',
      '"rate" must be sessions per second, more than 0 and at most 1000000, e.g. 500',
    ));
  await t.step("a rate of 0 is refused", () =>
    rejects(
      '{"rate": 0}',
      '"rate" must be sessions per second, more than 0 and at most 1000000, e.g. 500',
    ));
  await t.step(
    "a bad hold is refused as --hold is",
    () => rejects('{"hold": "soon"}', '"hold" is invalid: invalid --hold "soon": ' + holdWords()),
  );
  await t.step(
    "send must be a non-empty string",
    () => rejects('{"send": ""}', '"send" must be a non-empty string'),
  );
});

/** What the --hold flag says of "soon", after its `Invalid --hold "soon": `. */
function holdWords(): string {
  try {
    parseCli(["load", "--hold", "soon", "127.0.0.1:8080"]);
  } catch (error) {
    return (error as Error).message.replace(/^Invalid --hold "soon": /, "");
  }
  throw new Error("--hold soon was accepted");
}
