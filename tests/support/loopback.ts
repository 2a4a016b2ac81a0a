/** Loopback listeners for tests: ports below 32768, outside the ephemeral range. */
import { listenBelowEphemeral } from "../../lib/testing/reference_servers.ts";

/** Listens on 127.0.0.1 at a free port in 20000-32767. */
export function listenOnRandomPort(): Deno.TcpListener {
  return listenBelowEphemeral();
}

/**
 * Waits until something accepts connections on 127.0.0.1:`port` (a peer
 * server just spawned), trying every 100 ms for 5 s. Returns whether it did.
 */
export async function waitForListener(port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return false;
}
