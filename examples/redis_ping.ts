/**
 * A Redis PING scenario, as the README shows it: each session connects,
 * sends `PING`, checks the `+PONG` reply, sends our FIN and expects Redis to
 * answer with its own.
 *
 *     deno run -P cli.ts run examples/redis_ping.ts 127.0.0.1:6379
 *
 * @module
 */
import { check, type ScenarioOptions, type Session } from "../mod.ts";

/**
 * 50 sessions in flight for 10 s; the run fails unless these hold. A
 * loopback handshake takes tens of microseconds, but a 2-core machine
 * running other work stalls some by milliseconds: 50ms is a limit a
 * healthy server on a busy CI machine keeps.
 */
export const options = {
  concurrency: 50,
  duration: "10s",
  thresholds: ["handshake.p99<50ms", "checks>99%", "outcome.reset==0"],
} satisfies ScenarioOptions;

/** One session: PING, +PONG, our FIN, Redis's FIN. */
export default async function (session: Session) {
  await session.connect();
  await session.write("PING\r\n");
  const reply = await session.readUntil("\r\n");
  check("pong", reply === "+PONG\r\n");
  await session.closeWrite(); // our FIN
  await session.expectEof(); // the server's FIN, else no-fin (CLOSE_WAIT)
}
