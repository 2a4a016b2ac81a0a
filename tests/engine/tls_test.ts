import assert from "node:assert/strict";
import { DEFAULT_SESSION_OPTIONS, runSession } from "../../lib/engine/session.ts";
import { SessionTally, TIMED_PHASES } from "../../lib/engine/tally.ts";
import { tlsErrnoOf } from "../../lib/engine/tls.ts";
import { parseTarget } from "../../lib/base/target.ts";
import { runScriptedSession } from "../../lib/engine/scripted/run_scripted.ts";
import { tlsSocketLayer } from "../../lib/engine/scripted/tls_socket.ts";
import { startTlsServer, TEST_CA_PEM } from "../support/tls_server.ts";

const TLS = { caCerts: [TEST_CA_PEM] };
const options = { ...DEFAULT_SESSION_OPTIONS, tls: TLS };

Deno.test("tls: a session to a server answering close_notify is clean, both handshakes timed", async () => {
  await using server = await startTlsServer("close-notify");
  const record = await runSession(parseTarget(server.address), options);
  assert.equal(record.outcome, "clean", JSON.stringify(record));
  assert.ok(record.handshakeUs! > 0 && record.tlsUs! > 0 && record.closeUs! > 0);
  assert.equal(record.tlsClose, "closeNotify");
  assert.deepEqual(record.errors, []);
  // Our closeWrite() sent close_notify: the server's read returned EOF.
  assert.equal(server.clientCloseNotify, 1);
});

Deno.test("tls: a server closing with a bare FIN is clean, counted bareFin", async () => {
  await using server = await startTlsServer("bare-fin");
  const record = await runSession(parseTarget(server.address), options);
  assert.equal(record.outcome, "clean", JSON.stringify(record));
  assert.equal(record.tlsClose, "bareFin");
  assert.deepEqual(record.errors, []);
});

Deno.test("tls: the payload's answer comes back decrypted and is timed as the first byte", async () => {
  await using server = await startTlsServer("close-notify");
  const send = new TextEncoder().encode("PING\r\n");
  const record = await runSession(parseTarget(server.address), { ...options, send });
  assert.equal(record.outcome, "clean");
  assert.equal(record.bytesReceived, send.byteLength);
  assert.ok(record.firstByteUs! > 0);
});

Deno.test("tls: a certificate the CA did not sign fails the tls phase with ETLSCERT", async () => {
  await using server = await startTlsServer("untrusted");
  const record = await runSession(parseTarget(server.address), options);
  assert.equal(record.outcome, "error");
  assert.equal(record.phase, "tls");
  assert.equal(record.errno, "ETLSCERT");
  assert.deepEqual(record.errors, [{ phase: "tls", operation: "connect", errno: "ETLSCERT" }]);
  assert.ok(record.handshakeUs! > 0, "the TCP handshake had completed");
  assert.equal(record.tlsUs, undefined);
});

Deno.test("tls: a name the certificate does not hold fails as ETLSCERT too", async () => {
  await using server = await startTlsServer("close-notify");
  const record = await runSession(parseTarget(server.address), {
    ...options,
    tls: { ...TLS, servername: "example.com" },
  });
  assert.equal(record.errno, "ETLSCERT");
});

Deno.test("tls: a plain TCP server that closes at accept fails the handshake as ETLSEOF", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept().then((conn) => conn.close());
  const port = (listener.addr as Deno.NetAddr).port;
  const record = await runSession(parseTarget(`127.0.0.1:${port}`), options);
  await accepted;
  listener.close();
  assert.equal(record.outcome, "error");
  assert.deepEqual([record.phase, record.errno], ["tls", "ETLSEOF"]);
});

Deno.test("tls: a server that never speaks TLS times the handshake out", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held = listener.accept();
  const port = (listener.addr as Deno.NetAddr).port;
  const record = await runSession(parseTarget(`127.0.0.1:${port}`), {
    ...options,
    connectTimeoutMs: 200,
  });
  (await held).close();
  listener.close();
  assert.deepEqual([record.outcome, record.phase, record.errno], ["error", "tls", "ETIMEDOUT"]);
});

Deno.test("tls: tlsErrnoOf reads rustls's words", () => {
  const invalid = (message: string) => tlsErrnoOf(new Deno.errors.InvalidData(message));
  assert.equal(invalid("invalid peer certificate: UnknownIssuer"), "ETLSCERT");
  assert.equal(invalid("received fatal alert: HandshakeFailure"), "ETLSALERT");
  assert.equal(invalid("received corrupt message of type InvalidContentType"), "ETLS");
  assert.equal(tlsErrnoOf(new Deno.errors.UnexpectedEof("unexpected end of file")), "ETLSEOF");
  assert.equal(tlsErrnoOf(new Deno.errors.ConnectionReset("reset")), "ECONNRESET");
});

Deno.test("tls: the tally times the tls phase and counts the TLS closes, merged exactly", () => {
  assert.deepEqual(TIMED_PHASES, ["handshake", "tls", "firstByte", "close"]);
  const a = new SessionTally();
  const clean = {
    outcome: "clean" as const,
    phase: "close" as const,
    bytesReceived: 0,
    errors: [],
  };
  a.add({ ...clean, handshakeUs: 50, tlsUs: 900, closeUs: 80, tlsClose: "closeNotify" });
  a.add({ ...clean, handshakeUs: 50, tlsUs: 700, closeUs: 80, tlsClose: "bareFin" });
  a.add({ ...clean, handshakeUs: 50, closeUs: 80 });
  const merged = new SessionTally();
  merged.merge(a.encode());
  merged.merge(a.encode());
  assert.equal(merged.histograms.tls.count, 4);
  assert.deepEqual(merged.tlsClose, { closeNotify: 2, bareFin: 2 });
  // A tally without TLS encodes as before: no tlsClose key.
  assert.equal("tlsClose" in new SessionTally().encode(), false);
});

const scripted = { connectTimeoutMs: 1000, closeTimeoutMs: 1000 };

Deno.test("tls scripted: a line out and back, both handshakes timed, close_notify counted", async () => {
  await using server = await startTlsServer("close-notify");
  const record = await runScriptedSession(
    tlsSocketLayer(TLS),
    async (session) => {
      await session.connect();
      await session.write("ping\n");
      assert.equal(await session.readUntil("\n"), "ping\n");
    },
    { to: parseTarget(server.address), index: 0 },
    scripted,
  );
  assert.equal(record.outcome, "clean", JSON.stringify(record));
  assert.ok(record.handshakeUs! > 0 && record.tlsUs! > 0 && record.firstByteUs! > 0);
  assert.equal(record.tlsClose, "closeNotify");
  assert.equal(server.clientCloseNotify, 1);
});

Deno.test("tls scripted: a bare FIN is the server's EOF, counted bareFin", async () => {
  await using server = await startTlsServer("bare-fin");
  const record = await runScriptedSession(
    tlsSocketLayer(TLS),
    async (session) => {
      await session.connect();
      await session.closeWrite();
      assert.equal(await session.expectEof(), true);
    },
    { to: parseTarget(server.address), index: 0 },
    scripted,
  );
  assert.equal(record.outcome, "clean");
  assert.equal(record.tlsClose, "bareFin");
});

Deno.test("tls scripted: an untrusted certificate fails connect() in the tls phase", async () => {
  await using server = await startTlsServer("untrusted");
  const record = await runScriptedSession(
    tlsSocketLayer(TLS),
    (session) => session.connect(),
    { to: parseTarget(server.address), index: 0 },
    scripted,
  );
  assert.deepEqual([record.outcome, record.phase, record.errno], ["error", "tls", "ETLSCERT"]);
  assert.deepEqual(record.errors, [{ phase: "tls", operation: "connect", errno: "ETLSCERT" }]);
  assert.ok(record.handshakeUs! > 0);
  assert.equal(record.tlsUs, undefined);
});
