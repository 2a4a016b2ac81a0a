/**
 * `deno task demo`: starts two reference servers in this process, a
 * well-behaved one and a leaky one (never closes after EOF), runs synfin's
 * default load against each, and prints both reports: a clean run and a
 * CLOSE_WAIT leak side by side, with no server of your own.
 *
 * @module
 */

import { LoadRunner } from "./lib/load_runner.ts";
import {
  REFERENCE_SERVER_BEHAVIOUR,
  type ReferenceServerKind,
  startReferenceServer,
} from "./lib/reference_servers.ts";
import { summarizeLoad } from "./lib/summary.ts";
import { renderTextReport } from "./lib/text_report.ts";
import { EXIT } from "./lib/exit_codes.ts";

const stop = new AbortController();
Deno.addSignalListener("SIGINT", () => stop.abort());

const n = (value: number) => value.toLocaleString("en-US");
const verdicts: string[] = [];
let asExpected = true;
for (const kind of ["well-behaved", "leaky"] as ReferenceServerKind[]) {
  if (stop.signal.aborted) break;
  await using server = await startReferenceServer(kind);
  console.log(`\n=== ${kind} reference server on ${server.target.label}`);
  console.log(`    (${REFERENCE_SERVER_BEHAVIOUR[kind]})`);
  console.log(`    deno run -P cli.ts ${server.target.label}\n`);
  const result = await new LoadRunner(server.target, { signal: stop.signal }).run();
  const summary = summarizeLoad(result);
  console.log(renderTextReport(summary));
  const { clean, "no-fin": noFin } = summary.outcomes;
  if (kind === "well-behaved") {
    const ok = clean === summary.sessions && clean > 0;
    asExpected &&= ok;
    verdicts.push(`well-behaved: ${n(clean)} of ${n(summary.sessions)} sessions clean`);
  } else {
    const ok = noFin > 0;
    asExpected &&= ok;
    verdicts.push(
      `leaky: ${n(noFin)} of ${n(summary.sessions)} sessions no-fin: the server left ${
        n(server.open)
      } ` +
        `sockets in CLOSE_WAIT (its handler does not close after reading EOF)`,
    );
  }
}
console.log(`\n=== demo summary\n  ${verdicts.join("\n  ")}`);
console.log("  Point synfin at your own server: deno run -P cli.ts HOST:PORT");
Deno.exit(stop.signal.aborted ? EXIT.interrupted : asExpected ? EXIT.ok : EXIT.failed);
