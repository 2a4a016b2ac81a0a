// One load split over 4 generators (`--segment i/4`) run in parallel
// against one server in a fresh network namespace, then `merge`d: the merged
// summary must equal the single-histogram truth, and its sessions the
// kernel's count of accepted connections.

import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import * as hdr from "hdr-histogram-js";
import { CAN_ISOLATE } from "../support/faults.ts";
import { TIMED_PHASES } from "../../lib/engine/tally.ts";
import type { LoadSummary } from "../../lib/census/load_summary.ts";
import type { MergedSummary } from "../../lib/census/merge_summaries.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));
const PORT = 7461;
const SEGMENTS = 4;
/** One `nstat -az` counter, as bash: `$(nstat_value TcpPassiveOpens)` (as bench/netns.ts). */
const NSTAT_FUNCTION = `nstat_value() { nstat -az "$1" | awk -v k="$1" '$1 == k {print $2}'; }`;

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The union of encoded histograms through hdr-histogram-js itself, not synfin's wrapper. */
function truthOf(encoded: string[]): hdr.Histogram {
  const truth = hdr.build({ bitBucketSize: 32, highestTrackableValue: 600_000_000 });
  for (const one of encoded) {
    const decoded = hdr.decodeFromCompressedBase64(one, 32, false);
    truth.add(decoded);
    decoded.destroy();
  }
  return truth;
}

Deno.test({
  name: "merge of 4 --segment i/4 generators equals the single-histogram truth and TcpPassiveOpens",
  ignore: !CAN_ISOLATE,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "synfin-segments-" });
    const deno = quote(Deno.execPath());
    const cli = (words: string[]) =>
      [deno, "run", "-q", "-P=test", "--config", quote(`${ROOT}deno.json`)]
        .concat(quote(`${ROOT}cli.ts`), words.map(quote)).join(" ");
    const generators = Array.from({ length: SEGMENTS }, (_, i) => {
      const n = i + 1;
      const words = ["load", "--segment", `${n}/${SEGMENTS}`, "-n", "400", "-c", "8"];
      words.push("--no-census", "--json", `${dir}/seg_${n}.json`, `127.0.0.1:${PORT}`);
      // All four at once: the rc files say when each is done.
      return `( ${cli(words)} >${dir}/out.${n} 2>${dir}/err.${n}; echo $? >${dir}/rc.${n} ) &`;
    });
    const script = [
      "ip link set lo up",
      NSTAT_FUNCTION,
      `${deno} run -q -A ${quote(`${ROOT}lib/testing/reference_servers.ts`)} well-behaved ` +
      `${PORT} >/dev/null &`,
      "server_pid=$!",
      `echo $server_pid >${dir}/pid`,
      `for i in $(seq 100); do ss -ltn | grep -q ':${PORT} ' && break; sleep 0.05; done`,
      `nstat_value TcpPassiveOpens >${dir}/before`,
      ...generators,
      `for i in $(seq ${SEGMENTS}); do for t in $(seq 1200); do [ -s ${dir}/rc.$i ] && break; sleep 0.05; done; done`,
      `nstat_value TcpPassiveOpens >${dir}/after`,
      `ss -tanp >${dir}/ss`,
      "kill $server_pid",
      "wait $server_pid 2>/dev/null",
      "exit 0",
    ];
    try {
      const shell = await new Deno.Command("unshare", {
        args: ["-n", "bash", "-c", script.join("\n")],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(shell.success, new TextDecoder().decode(shell.stderr));
      const read = (file: string) => Deno.readTextFile(`${dir}/${file}`);
      const files = Array.from({ length: SEGMENTS }, (_, i) => `${dir}/seg_${i + 1}.json`);
      for (let i = 1; i <= SEGMENTS; i++) {
        assert.equal((await read(`rc.${i}`)).trim(), "0", await read(`err.${i}`));
      }
      const segments: LoadSummary[] = await Promise.all(
        files.map(async (file) => JSON.parse(await Deno.readTextFile(file))),
      );
      // Concurrency 8 and 400 sessions over 4: 2 and 100 each.
      assert.deepEqual(segments.map((s) => s.segment?.index), [1, 2, 3, 4]);
      assert.deepEqual(segments.map((s) => s.load.concurrency), [2, 2, 2, 2]);
      assert.deepEqual(segments.map((s) => s.sessions), [100, 100, 100, 100]);

      const merge = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-q", "-P=test", `${ROOT}cli.ts`, "merge", ...files, "--json", "-"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(merge.code, 0, new TextDecoder().decode(merge.stderr));
      const merged: MergedSummary = JSON.parse(new TextDecoder().decode(merge.stdout));
      assert.equal(merged.merged.segments?.complete, true);
      assert.equal(merged.sessions, 400);
      assert.equal(merged.outcomes.clean, 400);
      for (const phase of TIMED_PHASES) {
        const truth = truthOf(segments.map((s) => s.phases[phase].histogram));
        const got = merged.phases[phase];
        assert.equal(got.count, truth.totalCount, `${phase} count`);
        assert.equal(
          got.count,
          segments.reduce((n, s) => n + s.phases[phase].count, 0),
          `${phase} count = the sum of the segments' counts`,
        );
        if (truth.totalCount > 0) {
          assert.equal(got.p50Us, truth.getValueAtPercentile(50), `${phase} p50`);
          assert.equal(got.p99Us, truth.getValueAtPercentile(99), `${phase} p99`);
          assert.equal(got.p999Us, truth.getValueAtPercentile(99.9), `${phase} p99.9`);
        }
        truth.destroy();
      }
      // Every session and each generator's one preflight connect, as the kernel counted them.
      const passiveOpens = Number(await read("after")) - Number(await read("before"));
      assert.equal(passiveOpens, merged.sessions + SEGMENTS);
      // After every generator exited, only the server holds sockets.
      const serverPid = (await read("pid")).trim();
      const leftover = (await read("ss")).split("\n").filter((line) =>
        line.includes("users:(") && !line.includes(`pid=${serverPid},`)
      );
      assert.deepEqual(leftover, [], "a generator left sockets behind");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
