/**
 * End-to-end against a real third-party server: nginx on loopback, started
 * by the test with its own config. `.ci/run` installs nginx and sets
 * SYNFIN_REQUIRE_PEERS=1 so a missing nginx fails CI instead of skipping.
 */
import assert from "node:assert/strict";
import { synfin } from "./support/cli.ts";

const REQUIRED = Deno.env.get("SYNFIN_REQUIRE_PEERS") === "1";
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

async function withNginx(fn: (port: number) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "synfin-nginx-" });
  const port = 20000 + Math.floor(Math.random() * 12000);
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off; master_process off; worker_processes 1;
pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${port} backlog=4096; location / { return 200 "ok\\n"; } }
}
`,
  );
  const nginx = new Deno.Command(NGINX!, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await fn(port);
  } finally {
    nginx.kill("SIGTERM");
    await nginx.output();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "nginx: the default lifecycle completes thousands of clean sessions",
  ignore: !NGINX && !REQUIRED,
  async fn() {
    assert.ok(NGINX, "nginx is required (SYNFIN_REQUIRE_PEERS=1) but not installed");
    await withNginx(async (port) => {
      const run = await synfin(["load", "-d", "2s", "--json", "-", `127.0.0.1:${port}`]);
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout);
      assert.ok(summary.sessions >= 2000, `${summary.sessions} sessions`);
      assert.equal(summary.outcomes.clean, summary.sessions);
      assert.equal(summary.phases.handshake.count, summary.sessions);
      assert.equal(summary.phases.close.count, summary.sessions);
      // The client sends the first FIN: nothing lingers on nginx's side.
      assert.equal(summary.sockets.available, true);
      assert.equal(summary.sockets.server.CLOSE_WAIT.drained, 0);
      assert.equal(summary.sockets.server.TIME_WAIT.peak, 0);
      assert.ok(summary.sockets.tester.TIME_WAIT.peak > 0, "the tester holds the TIME_WAIT");
      assert.deepEqual(summary.lingering.closeWait, {
        remaining: 0,
        neverAccepted: 0,
        leakedByHandler: 0,
        noFinSessions: 0,
      });
      assert.equal(summary.lingering.serverTimeWait.serverTimeWait, 0);
      assert.equal(summary.lingering.halfOpen.count, 0);
    });
  },
});

Deno.test({
  name: "nginx: an HTTP request times the first byte",
  ignore: !NGINX && !REQUIRED,
  async fn() {
    assert.ok(NGINX, "nginx is required (SYNFIN_REQUIRE_PEERS=1) but not installed");
    await withNginx(async (port) => {
      const run = await synfin([
        "load",
        "-n",
        "200",
        "--send",
        "GET / HTTP/1.0\\r\\n\\r\\n",
        `127.0.0.1:${port}`,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const stdout = run.stdout;
      assert.match(stdout, /^first byte\s+200\s/m);
      // HTTP/1.0 without keep-alive: nginx answers, then closes first.
      assert.match(stdout, /server-closed-first\s+200\s+100\.00%/);
      assert.match(stdout, /TIME_WAIT ON THE SERVER: the server closed first in 200 sessions/);
      assert.match(stdout, /^ {2}server\s+TIME_WAIT\s+\d+\s+\+200\s/m);
    });
  },
});

Deno.test({
  name: "nginx: the conformance suite passes every MUST case",
  ignore: !NGINX && !REQUIRED,
  async fn() {
    assert.ok(NGINX, "nginx is required (SYNFIN_REQUIRE_PEERS=1) but not installed");
    await withNginx(async (port) => {
      const run = await synfin([
        "-d",
        "1s",
        "--idle-bound",
        "1s",
        "--json",
        "-",
        `127.0.0.1:${port}`,
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const result = JSON.parse(run.stdout);
      for (const c of result.cases) {
        if (c.severity === "MUST") assert.equal(c.verdict, "PASS", `${c.id}: ${c.actual}`);
      }
      // nginx answers the half-close probe (a bad request) with a 400, then its FIN.
      const halfClose = result.cases.find((c: { id: string }) => c.id === "close/half-close");
      assert.match(halfClose.actual, /^10 ended with the server's FIN, 0 reset/);
      assert.equal(result.lifecycle.sockets.server.CLOSE_WAIT.drained, 0);
      assert.equal(result.lifecycle.sockets.server.TIME_WAIT.peak, 0);
    });
  },
});
