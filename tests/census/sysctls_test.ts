/**
 * Tests for lib/census/sysctls.ts.
 *
 * CAPTURED_STDOUT is the real output of `cat` on TCP_SYSCTL_FILES on a project
 * machine (Linux 6.18.44); the live tests compare against `cat` run here.
 */

import assert from "node:assert/strict";
import {
  parseTcpSysctls,
  readTcpSysctls,
  TCP_SYSCTL_FILES,
  type TcpSysctls,
} from "../../lib/census/sysctls.ts";

const CAPTURED_STDOUT = "4096\n2048\n1\n0\n32768\t60999\n60\n6\n4\n2\n";

const CAPTURED: TcpSysctls = {
  somaxconn: 4096,
  tcpMaxSynBacklog: 2048,
  tcpSyncookies: 1,
  tcpAbortOnOverflow: 0,
  ephemeralPortRange: { low: 32768, high: 60999 },
  tcpFinTimeout: 60,
  tcpSynRetries: 6,
  tcpSynLinearTimeouts: 4,
  tcpTwReuse: 2,
};

const ALL_UNDEFINED: TcpSysctls = {
  somaxconn: undefined,
  tcpMaxSynBacklog: undefined,
  tcpSyncookies: undefined,
  tcpAbortOnOverflow: undefined,
  ephemeralPortRange: undefined,
  tcpFinTimeout: undefined,
  tcpSynRetries: undefined,
  tcpSynLinearTimeouts: undefined,
  tcpTwReuse: undefined,
};

/** Written out here, not taken from the library, so a wrong path there fails. */
const SYSCTL_PATHS: Record<keyof TcpSysctls, string> = {
  somaxconn: "/proc/sys/net/core/somaxconn",
  tcpMaxSynBacklog: "/proc/sys/net/ipv4/tcp_max_syn_backlog",
  tcpSyncookies: "/proc/sys/net/ipv4/tcp_syncookies",
  tcpAbortOnOverflow: "/proc/sys/net/ipv4/tcp_abort_on_overflow",
  ephemeralPortRange: "/proc/sys/net/ipv4/ip_local_port_range",
  tcpFinTimeout: "/proc/sys/net/ipv4/tcp_fin_timeout",
  tcpSynRetries: "/proc/sys/net/ipv4/tcp_syn_retries",
  tcpSynLinearTimeouts: "/proc/sys/net/ipv4/tcp_syn_linear_timeouts",
  tcpTwReuse: "/proc/sys/net/ipv4/tcp_tw_reuse",
};

const notFound = (path: string) => `cat: ${path}: No such file or directory\n`;

/** Runs `cat` on the given files; stdout, or undefined when cat fails. */
async function cat(...paths: string[]): Promise<string | undefined> {
  const output = await new Deno.Command("cat", { args: paths, stderr: "null" }).output();
  return output.success ? new TextDecoder().decode(output.stdout) : undefined;
}

Deno.test("TCP_SYSCTL_FILES lists each sysctl's file, in cat's order", () => {
  assert.deepEqual(Object.entries(TCP_SYSCTL_FILES), Object.entries(SYSCTL_PATHS));
});

Deno.test("parseTcpSysctls", async (t) => {
  await t.step("parses the captured cat output, one line per file", () => {
    assert.deepEqual(parseTcpSysctls(CAPTURED_STDOUT), CAPTURED);
    assert.deepEqual(parseTcpSysctls(CAPTURED_STDOUT.replaceAll("\n", "\r\n")), CAPTURED);
  });

  await t.step("skips the files cat reported missing, keeping the others in order", () => {
    const path = TCP_SYSCTL_FILES.tcpSynLinearTimeouts;
    const stdout = CAPTURED_STDOUT.replace("\n4\n", "\n");
    assert.deepEqual(parseTcpSysctls(stdout, { stderr: notFound(path) }), {
      ...CAPTURED,
      tcpSynLinearTimeouts: undefined,
    });
    // Busybox quotes the name: "cat: can't open '/proc/...': No such file".
    const busybox = `cat: can't open '${TCP_SYSCTL_FILES.somaxconn}': No such file or directory\n`;
    assert.deepEqual(
      parseTcpSysctls(CAPTURED_STDOUT.slice("4096\n".length), { stderr: busybox }),
      { ...CAPTURED, somaxconn: undefined },
    );
    const first = TCP_SYSCTL_FILES.somaxconn;
    const last = TCP_SYSCTL_FILES.tcpTwReuse;
    assert.deepEqual(
      parseTcpSysctls("2048\n1\n0\n32768\t60999\n60\n6\n4\n", {
        stderr: notFound(first) + `cat: ${last}: Permission denied\n`,
      }),
      { ...CAPTURED, somaxconn: undefined, tcpTwReuse: undefined },
    );
  });

  await t.step("ignores errors about other files that start with a sysctl's path", () => {
    const stderr = notFound(`${TCP_SYSCTL_FILES.tcpSynRetries}_extra`);
    assert.deepEqual(parseTcpSysctls(CAPTURED_STDOUT, { stderr }), CAPTURED);
  });

  await t.step("gives undefined for values it cannot parse", () => {
    const stdout = "4096x\n2048\n\n0\n60999\n60\n6\n4\n-2\n";
    assert.deepEqual(parseTcpSysctls(stdout), {
      ...CAPTURED,
      somaxconn: undefined,
      tcpSyncookies: undefined,
      ephemeralPortRange: undefined,
      tcpTwReuse: -2,
    });
    const reversed = CAPTURED_STDOUT.replace("32768\t60999", "60999 32768");
    assert.equal(parseTcpSysctls(reversed).ephemeralPortRange, undefined);
    const tooMany = CAPTURED_STDOUT.replace("32768\t60999", "1 2 3");
    assert.equal(parseTcpSysctls(tooMany).ephemeralPortRange, undefined);
  });

  await t.step("gives all undefined when lines cannot be matched to files", () => {
    assert.deepEqual(parseTcpSysctls(""), ALL_UNDEFINED);
    assert.deepEqual(parseTcpSysctls(CAPTURED_STDOUT.replace("\n4\n", "\n")), ALL_UNDEFINED);
    assert.deepEqual(parseTcpSysctls(`${CAPTURED_STDOUT}7\n`), ALL_UNDEFINED);
  });
});

Deno.test("readTcpSysctls", async (t) => {
  const sysctls = await readTcpSysctls();

  await t.step("reads somaxconn as cat /proc/sys/net/core/somaxconn prints it", async () => {
    const text = await cat("/proc/sys/net/core/somaxconn");
    assert.ok(text !== undefined, "cat /proc/sys/net/core/somaxconn failed");
    assert.ok(Number.isInteger(sysctls.somaxconn));
    assert.equal(sysctls.somaxconn, Number(text.trim()));
  });

  await t.step("reads every other setting as cat prints it, undefined if absent", async () => {
    for (const [field, path] of Object.entries(SYSCTL_PATHS)) {
      const text = await cat(path);
      const value = sysctls[field as keyof TcpSysctls];
      if (text === undefined) {
        assert.equal(value, undefined, field);
      } else if (field === "ephemeralPortRange") {
        const [low, high] = text.trim().split(/\s+/).map(Number);
        assert.deepEqual(value, { low, high });
      } else {
        assert.equal(value, Number(text.trim()), field);
      }
    }
  });
});

Deno.test({
  name: "readTcpSysctls without --allow-run gives undefined values, not an error",
  permissions: { read: true, run: false },
  fn: async () => {
    assert.deepEqual(await readTcpSysctls(), ALL_UNDEFINED);
  },
});
