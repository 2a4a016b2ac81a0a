/**
 * The `reset` and `resets-at-accept` reference servers, on `node:net`:
 * Deno's own sockets cannot send an RST. Internal: start them with
 * `startReferenceServer("reset")` or `startReferenceServer("resets-at-accept")`.
 *
 * @module
 */

import * as net from "node:net";
import type { ReferenceServer } from "./reference_servers.ts";
import { randomPort, targetOf } from "./ports.ts";

/**
 * Deno's `conn.close()` always ends with a FIN; `node:net`'s
 * `resetAndDestroy()` sets SO_LINGER 0 and so sends an RST (docs/tcp-facts.md).
 * `reset` (the default) echoes and answers our FIN with the RST;
 * `resets-at-accept` sends it as soon as it accepts: the client's handshake
 * has completed, so the server is reachable, and every session is reset.
 * Listens on `port`, or on a free port in 20000-32767.
 *
 * @example
 * ```ts
 * import { startResetServer } from "./reset_server.ts";
 * await using server = await startResetServer("127.0.0.1", 16, undefined);
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.target.port });
 * await conn.closeWrite();
 * const reset = await conn.read(new Uint8Array(1)).then(() => false, () => true);
 * console.assert(reset, "our FIN is answered with an RST");
 * conn.close();
 * ```
 */
export async function startResetServer(
  hostname: string,
  backlog: number,
  port: number | undefined,
  kind: "reset" | "resets-at-accept" = "reset",
): Promise<ReferenceServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted++;
    socket.on("error", () => {});
    if (kind === "resets-at-accept") {
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.on("data", (chunk) => socket.write(chunk));
    socket.on("end", () => socket.resetAndDestroy());
    socket.on("close", () => sockets.delete(socket));
  });
  let chosen = port;
  for (let attempt = 0; attempt < 200; attempt++) {
    chosen = port ?? randomPort();
    const listening = await new Promise<boolean>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === "EADDRINUSE" && port === undefined) resolve(false);
        else reject(error);
      };
      server.once("error", onError);
      server.listen({ host: hostname, port: chosen, backlog }, () => {
        server.off("error", onError);
        resolve(true);
      });
    });
    if (listening) break;
  }
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    kind,
    target: targetOf(hostname, chosen!),
    backlog,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
