import assert from "node:assert/strict";
import { parseCli } from "../../lib/cli/args.ts";
import { HELP } from "../../lib/cli/help.ts";
import { MAX_CONCURRENCY, planLoad } from "../../lib/cli/load_args.ts";
import { unescapePayload } from "../../lib/cli/parse.ts";
import { DEFAULT_DRAIN_MS } from "../../lib/census/settings.ts";
import { UsageError } from "../../lib/base/errors.ts";

const TARGET = { hostname: "127.0.0.1", port: 8080, label: "127.0.0.1:8080" };
const CENSUS = { drainMs: DEFAULT_DRAIN_MS };

/** Asserts parseCli(argv) throws a UsageError with a one-line message that contains `names`. */
function assertUsageError(argv: string[], names: string, exact?: string): void {
  let caught: unknown;
  // Without a command word the argv is the load command's.
  const full = ["check", "load", "idle"].includes(argv[0]) ? argv : ["load", ...argv];
  try {
    parseCli(full);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UsageError, `no UsageError for ${JSON.stringify(argv)}`);
  assert.equal(caught.name, "UsageError");
  assert.ok(!caught.message.includes("\n"), `not one line: ${JSON.stringify(caught.message)}`);
  assert.ok(
    caught.message.includes(names),
    `${JSON.stringify(caught.message)} does not name ${JSON.stringify(names)}`,
  );
  if (exact !== undefined) assert.equal(caught.message, exact);
}

Deno.test("a bare target gives a load with no overrides (the runner applies defaults)", () => {
  assert.deepEqual(parseCli(["load", "127.0.0.1:8080"]), {
    kind: "load",
    target: TARGET,
    load: {},
    census: CENSUS,
  });
});

Deno.test("every long option", () => {
  assert.deepEqual(
    parseCli([
      "load",
      "--concurrency",
      "250",
      "--sessions",
      "10000",
      "--duration",
      "30s",
      "--rate",
      "1500.5",
      "--send",
      "PING\\r\\n",
      "--hold",
      "250ms",
      "--connect-timeout",
      "1s",
      "--close-timeout",
      "500ms",
      "--json",
      "-",
      "[::1]:9000",
    ]),
    {
      kind: "load",
      target: { hostname: "::1", port: 9000, label: "[::1]:9000" },
      load: {
        concurrency: 250,
        sessions: 10_000,
        durationMs: 30_000,
        rate: 1500.5,
        send: new Uint8Array([80, 73, 78, 71, 13, 10]),
        holdMs: 250,
        connectTimeoutMs: 1000,
        closeTimeoutMs: 500,
      },
      census: CENSUS,
      jsonPath: "-",
    },
  );
});

Deno.test("short flags and the --opt=value form", () => {
  assert.deepEqual(
    parseCli(["load", "-c", "10", "-n", "100", "-d", "2m", "-r", "50", "localhost:80"]),
    {
      kind: "load",
      target: { hostname: "localhost", port: 80, label: "localhost:80" },
      load: { concurrency: 10, sessions: 100, durationMs: 120_000, rate: 50 },
      census: CENSUS,
    },
  );
  assert.deepEqual(parseCli(["load", "-c5", "--duration=1.5", "127.0.0.1:8080"]), {
    kind: "load",
    target: TARGET,
    load: { concurrency: 5, durationMs: 1500 },
    census: CENSUS,
  });
});

Deno.test("options may follow the target", () => {
  const command = parseCli(["load", "127.0.0.1:8080", "-c", "3", "--json", "-"]);
  assert.deepEqual(command, {
    kind: "load",
    target: TARGET,
    load: { concurrency: 3 },
    census: CENSUS,
    jsonPath: "-",
  });
});

Deno.test("durations in every unit", () => {
  const load = (args: string[]) => {
    const command = parseCli(["load", ...args, "127.0.0.1:8080"]);
    assert.equal(command.kind, "load");
    return command.kind === "load" ? command.load : {};
  };
  assert.deepEqual(load(["-d", "500ms"]), { durationMs: 500 });
  assert.deepEqual(load(["-d", "10"]), { durationMs: 10_000 });
  assert.deepEqual(load(["-d", "1h"]), { durationMs: 3_600_000 });
  assert.deepEqual(load(["--hold", "0"]), { holdMs: 0 });
  assert.deepEqual(load(["--hold", "1500us"]), { holdMs: 1.5 });
  assert.deepEqual(load(["--connect-timeout", "2.5s"]), { connectTimeoutMs: 2500 });
  assert.deepEqual(load(["--close-timeout", "1m"]), { closeTimeoutMs: 60_000 });
});

Deno.test("the limits of -c and -n are accepted", () => {
  assert.equal(MAX_CONCURRENCY, 10_000);
  assert.deepEqual(parseCli(["load", "-c", "1", "-n", "1", "127.0.0.1:8080"]), {
    kind: "load",
    target: TARGET,
    load: { concurrency: 1, sessions: 1 },
    census: CENSUS,
  });
  assert.deepEqual(parseCli(["load", "-c", "10000", "-n", "100000000", "127.0.0.1:8080"]), {
    kind: "load",
    target: TARGET,
    load: { concurrency: 10_000, sessions: 100_000_000 },
    census: CENSUS,
  });
});

Deno.test("--help and --version win over everything else", () => {
  // After a command word, the help is that command's.
  const loadHelp = { kind: "help", topic: "load" };
  assert.deepEqual(parseCli(["load", "--help"]), loadHelp);
  assert.deepEqual(parseCli(["load", "-h"]), loadHelp);
  assert.deepEqual(parseCli(["load", "-h", "-c", "0", "a", "b"]), loadHelp);
  assert.deepEqual(parseCli(["load", "--version"]), { kind: "version" });
  assert.deepEqual(parseCli(["load", "-V", "127.0.0.1:8080"]), { kind: "version" });
  assert.deepEqual(parseCli(["load", "--help", "--version"]), loadHelp);
  assert.deepEqual(parseCli(["check", "--help"]), { kind: "help", topic: "check" });
  assert.deepEqual(parseCli(["--help"]), { kind: "help" });
  assert.match(HELP, /^synfin: /);
  assert.match(HELP, /Usage: deno run -P cli\.ts \[check\] \[options\] HOST:PORT/);
  assert.match(HELP, /at most 200000;/);
  for (
    const option of [
      "--concurrency",
      "--sessions",
      "--duration",
      "--rate",
      "--send",
      "--hold",
      "--connect-timeout",
      "--close-timeout",
      "--json",
      "--help",
      "--version",
    ]
  ) {
    assert.ok(HELP.includes(option), `--help does not mention ${option}`);
  }
});

Deno.test("target errors", async (t) => {
  await t.step("no target", () => {
    assertUsageError([], "Missing target", "Missing target: give HOST:PORT");
    assertUsageError(["-c", "10"], "Missing target", "Missing target: give HOST:PORT");
  });
  await t.step("two targets", () => {
    assertUsageError(
      ["127.0.0.1:80", "127.0.0.1:81"],
      "127.0.0.1:81",
      "Expected one target, got 2: 127.0.0.1:80 127.0.0.1:81",
    );
  });
  await t.step("a bad target", () => {
    assertUsageError(["127.0.0.1"], 'Invalid target "127.0.0.1"');
    assertUsageError(["127.0.0.1:0"], 'Invalid target "127.0.0.1:0"');
  });
});

Deno.test("unknown options and missing values", () => {
  assertUsageError(["--foo", "127.0.0.1:8080"], "--foo", "Unknown option '--foo'");
  assertUsageError(["-z", "127.0.0.1:8080"], "-z", "Unknown option '-z'");
  assertUsageError(["127.0.0.1:8080", "-c"], "--concurrency");
  assertUsageError(["127.0.0.1:8080", "--send"], "--send");
  assertUsageError(["--json=", "127.0.0.1:8080"], "--json");
});

Deno.test("bad -c", () => {
  const exact = (value: string) =>
    `Invalid --concurrency "${value}": give a whole number from 1 to 200000`;
  for (const value of ["0", "200001", "x", "1.5", "", "1e3", " 5"]) {
    assertUsageError(["-c", value, "127.0.0.1:8080"], `"${value}"`, exact(value));
  }
  assertUsageError(["--concurrency=abc", "127.0.0.1:8080"], '"abc"', exact("abc"));
  // check keeps its own cap: only load spreads over generator processes.
  assertUsageError(["check", "-c", "10001", "127.0.0.1:8080"], '"10001"');
});

Deno.test("bad -n", () => {
  const exact = (value: string) =>
    `Invalid --sessions "${value}": give a whole number from 1 to 100000000`;
  for (const value of ["0", "100000001", "ten", "2.5"]) {
    assertUsageError(["-n", value, "127.0.0.1:8080"], `"${value}"`, exact(value));
  }
});

Deno.test("bad --rate", () => {
  const exact = (value: string) => `Invalid --rate "${value}": give sessions per second, e.g. 500`;
  for (const value of ["0", "fast", "", "Infinity", "1000001", "NaN"]) {
    assertUsageError(["--rate", value, "127.0.0.1:8080"], `"${value}"`, exact(value));
  }
  assertUsageError(["-r=-5", "127.0.0.1:8080"], '"=-5"', exact("=-5"));
});

Deno.test("bad durations", () => {
  for (const option of ["--duration", "--hold", "--connect-timeout", "--close-timeout"]) {
    assertUsageError(
      [option, "10x", "127.0.0.1:8080"],
      `"10x"`,
      `Invalid ${option} "10x": use e.g. 500ms, 10s or 1m`,
    );
  }
  assertUsageError(["-d", "soon", "127.0.0.1:8080"], '"soon"');
  for (const option of ["--duration", "--connect-timeout", "--close-timeout"]) {
    assertUsageError(
      [option, "0s", "127.0.0.1:8080"],
      `"0s"`,
      `Invalid ${option} "0s": must be more than 0`,
    );
  }
});

Deno.test("bad --send escapes", () => {
  assertUsageError(
    ["--send", "GET\\q", "127.0.0.1:8080"],
    "\\q",
    'Invalid --send escape "\\q": use \\r \\n \\t \\\\ or \\xHH',
  );
  assertUsageError(["--send", "\\xZZ", "127.0.0.1:8080"], "\\x");
  assertUsageError(["--send", "\\x4", "127.0.0.1:8080"], "\\x");
});

Deno.test("unescapePayload", async (t) => {
  const bytes = (text: string) => [...unescapePayload(text)];
  await t.step("\\r \\n \\t \\\\", () => {
    assert.deepEqual(bytes("a\\r\\n"), [97, 13, 10]);
    assert.deepEqual(bytes("\\t"), [9]);
    assert.deepEqual(bytes("\\\\"), [92]);
    assert.deepEqual(bytes("\\\\n"), [92, 110]);
    assert.deepEqual(
      bytes("GET / HTTP/1.0\\r\\n\\r\\n"),
      [...new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n")],
    );
  });
  await t.step("\\xHH in either case", () => {
    assert.deepEqual(bytes("\\x00\\xff\\xAb\\x41"), [0, 255, 171, 65]);
    assert.deepEqual(bytes("\\x410"), [65, 48]);
  });
  await t.step("text without escapes is UTF-8", () => {
    assert.deepEqual(bytes(""), []);
    assert.deepEqual(bytes("hello"), [104, 101, 108, 108, 111]);
    assert.deepEqual(bytes("é"), [0xc3, 0xa9]);
    assert.deepEqual(bytes("€\\n"), [0xe2, 0x82, 0xac, 10]);
    assert.deepEqual(bytes("Grüße"), [...new TextEncoder().encode("Grüße")]);
  });
  await t.step("a trailing backslash is literal", () => {
    assert.deepEqual(bytes("a\\"), [97, 92]);
  });
  await t.step("a bad escape is a UsageError naming it", () => {
    assert.throws(() => unescapePayload("\\a"), {
      name: "UsageError",
      message: 'Invalid --send escape "\\a": use \\r \\n \\t \\\\ or \\xHH',
    });
  });
});

// A character above U+FFFF is two UTF-16 code units: encoded one unit at a
// time, each half of the surrogate pair would become U+FFFD (EF BF BD).
Deno.test({
  name: "unescapePayload encodes characters outside the BMP",
  fn() {
    assert.deepEqual([...unescapePayload("😀")], [0xf0, 0x9f, 0x98, 0x80]);
  },
});

Deno.test("census options", () => {
  const census = (args: string[]) => {
    const command = parseCli(["load", ...args, "127.0.0.1:8080"]);
    assert.equal(command.kind, "load");
    return command.kind === "load" ? command.census : undefined;
  };
  assert.deepEqual(census([]), CENSUS);
  assert.deepEqual(census(["--drain", "500ms"]), { drainMs: 500 });
  assert.deepEqual(census(["--no-census"]), "off");
  assert.deepEqual(census(["--server-sockets", "ssh db cat /proc/net/tcp"]), {
    drainMs: DEFAULT_DRAIN_MS,
    serverSocketsCommand: "ssh db cat /proc/net/tcp",
  });
  assertUsageError(["--server-sockets", " ", "127.0.0.1:8080"], "--server-sockets");
  assertUsageError(
    ["--server-sockets", "cat x", "--no-census", "127.0.0.1:8080"],
    "--no-census",
  );
  assertUsageError(["--drain", "soon", "127.0.0.1:8080"], "--drain");
});

Deno.test("check: the census options give the request's census, off spelled one way", () => {
  const census = (args: string[]) => {
    const command = parseCli(["check", ...args, "127.0.0.1:8080"]);
    assert.equal(command.kind, "check");
    return command.kind === "check" ? command.request.census : undefined;
  };
  // Nothing given: the config file and the defaults decide (planCheck).
  assert.equal(census([]), undefined);
  assert.equal(census(["--no-census"]), "off");
  assert.deepEqual(census(["--drain", "1s"]), { drainMs: 1000 });
  assert.deepEqual(census(["--server-sockets", "ss -tan"]), { serverSocketsCommand: "ss -tan" });
  assertUsageError(
    ["check", "--server-sockets", "ss -tan", "--no-census", "127.0.0.1:8080"],
    "--no-census",
  );
  // A bad --drain is an error even beside --no-census.
  assertUsageError(["--drain", "soon", "--no-census", "127.0.0.1:8080"], "--drain");
});

Deno.test("the load command may be named", () => {
  assert.deepEqual(parseCli(["load", "-c", "3", "127.0.0.1:8080"]), {
    kind: "load",
    target: TARGET,
    load: { concurrency: 3 },
    census: CENSUS,
  });
});

Deno.test("the idle command", () => {
  assert.deepEqual(parseCli(["idle", "127.0.0.1:8080"]), {
    kind: "idle",
    target: TARGET,
    idle: { connections: 10, boundMs: 30_000 },
  });
  assert.deepEqual(
    parseCli([
      "idle",
      "--connections",
      "100",
      "--bound",
      "2m",
      "--connect-timeout",
      "1s",
      "--json",
      "-",
      "127.0.0.1:8080",
    ]),
    {
      kind: "idle",
      target: TARGET,
      idle: { connections: 100, boundMs: 120_000, connectTimeoutMs: 1000 },
      jsonPath: "-",
    },
  );
  assertUsageError(["idle", "--connections", "101", "127.0.0.1:8080"], "--connections");
  assertUsageError(["idle", "--bound", "0", "127.0.0.1:8080"], "--bound");
  // Load options do not belong to idle.
  assertUsageError(["idle", "-c", "5", "127.0.0.1:8080"], "-c");
  assert.deepEqual(parseCli(["idle", "--help"]), { kind: "help", topic: "idle" });
});

Deno.test("--rate takes a plain decimal number only", () => {
  assertUsageError(["-r", "0x10", "127.0.0.1:8080"], "--rate");
  assertUsageError(["-r", "1e3", "127.0.0.1:8080"], "--rate");
});

Deno.test("check is the default command", () => {
  assert.deepEqual(parseCli(["127.0.0.1:8080"]), {
    kind: "check",
    target: TARGET,
    request: { cases: [], skip: [], thresholds: [] },
  });
  assert.deepEqual(parseCli(["check", "127.0.0.1:8080"]), parseCli(["127.0.0.1:8080"]));
  // The target may come from the config file.
  assert.deepEqual(parseCli(["--config", "ci.json"]), {
    kind: "check",
    request: { cases: [], skip: [], thresholds: [] },
    configPath: "ci.json",
  });
});

Deno.test("every check option", () => {
  const command = parseCli([
    "--case",
    "close/",
    "--case",
    "handshake/accepts",
    "--skip",
    "idle/timeout",
    "--strict",
    "--threshold",
    "handshake.p99<5ms",
    "--threshold",
    "server.closeWait==0",
    "--junit",
    "out.xml",
    "--json",
    "out.json",
    "--connect-timeout",
    "1s",
    "--close-timeout",
    "500ms",
    "--drain",
    "2s",
    "--server-sockets",
    "ss -tan",
    "-d",
    "10s",
    "-c",
    "20",
    "--burst",
    "256",
    "--idle-bound",
    "3s",
    "--send",
    "PING\\r\\n",
    "127.0.0.1:8080",
  ]);
  assert.deepEqual(command, {
    kind: "check",
    target: TARGET,
    request: {
      cases: ["close/", "handshake/accepts"],
      skip: ["idle/timeout"],
      strict: true,
      thresholds: ["handshake.p99<5ms", "server.closeWait==0"],
      junitPath: "out.xml",
      jsonPath: "out.json",
      connectTimeoutMs: 1000,
      closeTimeoutMs: 500,
      census: { drainMs: 2000, serverSocketsCommand: "ss -tan" },
      durationMs: 10_000,
      concurrency: 20,
      burstSize: 256,
      idleBoundMs: 3000,
      payload: new TextEncoder().encode("PING\r\n"),
    },
  });
});

Deno.test("check: --list needs no target; bad values are usage errors", () => {
  assert.deepEqual(parseCli(["--list"]), { kind: "list" });
  assertUsageError(["check", "--threshold", "handshake.p99<<5ms", "127.0.0.1:8080"], "<<5ms");
  assertUsageError(["check", "--burst", "0", "127.0.0.1:8080"], "--burst");
  assertUsageError(["check", "--junit", "", "127.0.0.1:8080"], "--junit");
  assertUsageError(["check", "-n", "5", "127.0.0.1:8080"], "-n");
});

Deno.test("a negative number is called one, not an ambiguous argument", () => {
  const cases = [
    ["-c", "-5", 'Invalid --concurrency "-5": must be positive (a whole number from 1 to 200000)'],
    [
      "--sessions",
      "-1",
      'Invalid --sessions "-1": must be positive (a whole number from 1 to 100000000)',
    ],
    ["-d", "-2s", 'Invalid --duration "-2s": must be positive'],
    ["--hold", "-1", 'Invalid --hold "-1": must be positive'],
  ];
  for (const [option, value, message] of cases) {
    assertUsageError([option, value, "127.0.0.1:8080"], value, message);
  }
  assertUsageError(["idle", "--bound", "-5s", "127.0.0.1:8080"], "--bound");
  // The --opt=value form reaches the number check itself.
  assertUsageError(
    ["--concurrency=-5", "127.0.0.1:8080"],
    '"-5"',
    'Invalid --concurrency "-5": must be positive (a whole number from 1 to 200000)',
  );
  // A text option may take a word starting with a dash, written --opt=VALUE.
  assertUsageError(
    ["--send", "-x", "127.0.0.1:8080"],
    "--send",
    "--send takes a value, and the next word starts with a dash: write --send=VALUE",
  );
});

Deno.test("an unknown command is named, with the commands", () => {
  const commands = "the commands are check, load, run, idle, backlog, merge, demo";
  assert.throws(() => parseCli(["frob", "127.0.0.1:8080"]), {
    name: "UsageError",
    message: `Unknown command 'frob': ${commands}`,
  });
  assert.throws(() => parseCli(["lod", "-c", "5", "127.0.0.1:8080"]), {
    name: "UsageError",
    message: `Unknown command 'lod' (did you mean 'load'?): ${commands}`,
  });
  // A single word is still read as a target (it may be a host without its port).
  assert.throws(() => parseCli(["localhost"]), { message: /^Invalid target "localhost": no port/ });
});

Deno.test("durations past the timers' range are refused on every command", () => {
  const cap = "at most 24h (longer waits overflow synfin's timers)";
  assertUsageError(
    ["-d", "2147483s", "127.0.0.1:8080"],
    "",
    `Invalid --duration "2147483s": ${cap}`,
  );
  assertUsageError(["idle", "--bound", "99999999s", "127.0.0.1:8080"], "--bound");
  assertUsageError(
    ["check", "--connect-timeout", "3000000s", "127.0.0.1:8080"],
    "--connect-timeout",
  );
  assertUsageError(["--close-timeout", "25h", "127.0.0.1:8080"], "--close-timeout");
  assertUsageError(["--drain", "2000m", "127.0.0.1:8080"], "--drain");
  assert.equal(parseCli(["load", "-d", "24h", "127.0.0.1:8080"]).kind, "load");
});

Deno.test("check: a threshold on an unknown metric is refused at parse time", () => {
  assertUsageError(
    ["check", "--threshold", "handshake.p999<5ms", "127.0.0.1:8080"],
    'did you mean "handshake.p99.9"?',
  );
  assertUsageError(
    ["check", "--threshold", "server.closewait==0", "127.0.0.1:8080"],
    'did you mean "server.closeWait"?',
  );
});

Deno.test("load: --threshold is repeatable and checked as check's is; --config names a file", () => {
  const command = parseCli([
    "load",
    "--threshold",
    "handshake.p99<5ms",
    "--threshold",
    "server.closeWait==0",
    "--config",
    "ci.json",
    "127.0.0.1:8080",
  ]);
  assert.ok(command.kind === "load");
  assert.deepEqual(command.thresholds, ["handshake.p99<5ms", "server.closeWait==0"]);
  assert.equal(command.configPath, "ci.json");
  assertUsageError(
    ["load", "--threshold", "handshake.p999<5ms", "127.0.0.1:8080"],
    'unknown metric "handshake.p999"; did you mean "handshake.p99.9"?',
  );
  assertUsageError(["load", "--threshold", "handshake.p99<5", "127.0.0.1:8080"], "add a unit");
  assertUsageError(["load", "--config", "", "127.0.0.1:8080"], "--config");
});

Deno.test("planLoad: the config file's keys apply to load, under the command line's", () => {
  const parse = (args: string[]) => {
    const command = parseCli(["load", ...args, "127.0.0.1:8080"]);
    assert.ok(command.kind === "load");
    return command;
  };
  const config = {
    concurrency: 7,
    sessions: 30,
    duration: "2s",
    rate: 50,
    connectTimeout: "1s",
    closeTimeout: "300ms",
    hold: "10ms",
    send: "PING\\r\\n",
    drain: "700ms",
    serverSockets: "ss -tan",
    thresholds: ["handshake.p99<5ms"],
    json: "out.json",
    // check's keys: load has no use for them.
    cases: ["close/"],
    junit: "x.xml",
  };
  const fromFile = planLoad(parse([]), config);
  assert.deepEqual(fromFile.load, {
    concurrency: 7,
    sessions: 30,
    durationMs: 2000,
    rate: 50,
    connectTimeoutMs: 1000,
    closeTimeoutMs: 300,
    holdMs: 10,
    send: unescapePayload("PING\\r\\n"),
  });
  assert.deepEqual(fromFile.census, { drainMs: 700, serverSocketsCommand: "ss -tan" });
  assert.deepEqual(fromFile.thresholds.map((t) => t.expression), ["handshake.p99<5ms"]);
  assert.equal(fromFile.jsonPath, "out.json");
  assert.equal(fromFile.target.label, "127.0.0.1:8080");

  const flags = planLoad(
    parse([
      "-c",
      "3",
      "-n",
      "5",
      "-d",
      "1s",
      "-r",
      "9",
      "--hold",
      "0",
      "--send",
      "x",
      "--connect-timeout",
      "2s",
      "--close-timeout",
      "1s",
      "--drain",
      "0",
      "--json",
      "-",
      "--threshold",
      "sessions==5",
    ]),
    config,
  );
  assert.deepEqual(flags.load, {
    concurrency: 3,
    sessions: 5,
    durationMs: 1000,
    rate: 9,
    connectTimeoutMs: 2000,
    closeTimeoutMs: 1000,
    holdMs: 0,
    send: unescapePayload("x"),
  });
  assert.deepEqual(flags.census, { drainMs: 0, serverSocketsCommand: "ss -tan" });
  // Thresholds add up, the file's first, as check's do.
  assert.deepEqual(flags.thresholds.map((t) => t.expression), [
    "handshake.p99<5ms",
    "sessions==5",
  ]);
  assert.equal(flags.jsonPath, "-");
  assert.equal(planLoad(parse(["--no-census"]), config).census, "off");
  // Without a file, the command line as parsed.
  const bare = planLoad(parse(["-c", "2"]));
  assert.deepEqual(bare.load, { concurrency: 2 });
  assert.deepEqual(bare.census, CENSUS);
  assert.deepEqual(bare.thresholds, []);
  assert.equal(bare.jsonPath, undefined);
});
