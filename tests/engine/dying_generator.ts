/**
 * A generator that misbehaves, for tests/engine/generators_test.ts: says
 * "ready" as a generator does, reads its start line, then dies as the
 * `death` query of its own URL says (`dying_generator.ts?death=kill`; a
 * generator runs under synfin's `-P` set, which reads no test variable): `exit` (code 3 after a line on stderr), `kill`
 * (SIGKILL of itself) or `garbage` (a line that is not a message, then exit 0).
 *
 * @module
 */

const death = new URL(import.meta.url).searchParams.get("death") ?? "exit";
const encoder = new TextEncoder();
await Deno.stdout.write(encoder.encode(JSON.stringify({ kind: "ready" }) + "\n"));
const reader = Deno.stdin.readable.getReader();
await reader.read();
if (death === "kill") Deno.kill(Deno.pid, "SIGKILL");
if (death === "garbage") {
  await Deno.stdout.write(encoder.encode("not json\n"));
  Deno.exit(0);
}
await Deno.stderr.write(encoder.encode("boom: the generator fell over\n"));
Deno.exit(3);
