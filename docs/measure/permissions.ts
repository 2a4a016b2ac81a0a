/**
 * What Deno lets a program read under `--allow-read`, and the limits and
 * sysctls the census and the engine depend on (read through `cat` and `sh`).
 *
 *     deno run --allow-read --allow-run=cat,sh docs/measure/permissions.ts
 *
 * Reads files only; opens no socket.
 *
 * @module
 */

for (const path of ["/proc/net/tcp", "/proc/sys/net/core/somaxconn", "/proc/self/limits"]) {
  try {
    const text = await Deno.readTextFile(path);
    const line = path.endsWith("limits")
      ? text.split("\n").find((l) => l.startsWith("Max open files"))
      : text.split("\n")[0];
    console.log(`Deno.readTextFile(${path}): read; ${line?.replace(/\s+/g, " ")}`);
  } catch (error) {
    const e = error as Error;
    console.log(`Deno.readTextFile(${path}): ${e.name}: ${e.message}`);
  }
}

const SYSCTLS = [
  "core/somaxconn",
  "ipv4/tcp_max_syn_backlog",
  "ipv4/tcp_syncookies",
  "ipv4/tcp_abort_on_overflow",
  "ipv4/ip_local_port_range",
  "ipv4/tcp_fin_timeout",
  "ipv4/tcp_tw_reuse",
  "ipv4/tcp_syn_retries",
  "ipv4/tcp_synack_retries",
  "ipv4/tcp_syn_linear_timeouts",
];
for (const name of SYSCTLS) {
  const output = await new Deno.Command("cat", {
    args: [`/proc/sys/net/${name}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.success ? output.stdout : output.stderr);
  console.log(`net.${name.replace("/", ".")} = ${text.trim().replace(/\s+/g, " ")}`);
}

const limits = await new Deno.Command("sh", {
  args: ["-c", "echo soft $(ulimit -Sn) hard $(ulimit -Hn)"],
  stdout: "piped",
}).output();
console.log(
  `open files of a child of this Deno process: ${new TextDecoder().decode(limits.stdout).trim()}`,
);
