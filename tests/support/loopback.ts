/** Loopback listeners for tests: ports below 32768, outside the ephemeral range. */
import { listenBelowEphemeral } from "../../lib/reference_servers.ts";

/** Listens on 127.0.0.1 at a free port in 20000-32767. */
export function listenOnRandomPort(): Deno.TcpListener {
  return listenBelowEphemeral();
}
