import assert from "node:assert/strict";
import { closest } from "../../lib/base/closest.ts";

Deno.test("closest prefers the same letters in other case or punctuation", () => {
  const names = ["handshake.p99", "handshake.p99.9", "server.closeWait", "outcome.no-fin"];
  assert.equal(closest("handshake.p999", names), "handshake.p99.9");
  assert.equal(closest("server.closewait", names), "server.closeWait");
  assert.equal(closest("outcome.nofin", names), "outcome.no-fin");
});

Deno.test("closest takes the nearest by edit distance, within a third of the word", () => {
  const commands = ["check", "load", "idle", "backlog", "demo"];
  assert.equal(closest("lod", commands), "load");
  assert.equal(closest("chekc", commands), "check");
  assert.equal(closest("backlgo", commands), "backlog");
  assert.equal(closest("frob", commands), undefined);
  assert.equal(closest("x", []), undefined);
});
