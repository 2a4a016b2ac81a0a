/**
 * A line protocol, request and response: each session sends three
 * commands on one connection, each answered by one line, timed as
 * `mark.request` per command (tagged with it) and checked; then a
 * half-close. Against an echo server every answer is the request itself;
 * for a server of your own, change `expected`.
 *
 *     deno run -P cli.ts run examples/line_protocol.ts 127.0.0.1:7000
 *
 * @module
 */
import { check, type ScenarioOptions, type Session } from "../mod.ts";

/** 20 sessions in flight for 5 s; every answer right, each request fast. */
export const options = {
  concurrency: 20,
  duration: "5s",
  thresholds: [
    "checks==100%",
    "mark.request{command:GET}.p99<20ms",
    "outcome.no-fin==0",
    "outcome.reset==0",
  ],
} satisfies ScenarioOptions;

const COMMANDS = ["HELLO", "GET", "BYE"];

/** What the server answers to `line` (an echo server: the line itself). */
function expected(line: string): string {
  return line;
}

/** One session: three requests and answers, then our FIN and the server's. */
export default async function (session: Session) {
  await session.connect();
  for (const command of COMMANDS) {
    const line = `${command} ${session.index}\n`;
    const answer = await session.time("request", async () => {
      await session.write(line);
      return await session.readUntil("\n");
    }, { command });
    check("answer", answer === expected(line), { command });
  }
  await session.closeWrite();
  await session.expectEof();
}
