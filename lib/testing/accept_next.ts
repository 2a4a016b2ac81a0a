/**
 * The accept loop step the reference servers share.
 *
 * @module
 */

/**
 * Accepts the next connection, passing over the ones reset while they waited
 * in the accept queue: their accept fails (ENOTCONN when Deno asks for the
 * peer address, or ECONNABORTED), yet the listener is fine. Gives
 * `undefined` once `closing()` says the server is shutting down.
 *
 * @example
 * ```ts
 * import { acceptNext } from "./accept_next.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const conn = await acceptNext(listener, () => false);
 * console.assert(conn !== undefined);
 * conn?.close();
 * client.close();
 * listener.close();
 * ```
 */
export async function acceptNext(
  listener: Deno.TcpListener,
  closing: () => boolean,
): Promise<Deno.TcpConn | undefined> {
  while (!closing()) {
    try {
      return await listener.accept();
    } catch (error) {
      if (closing()) return undefined;
      if (
        error instanceof Deno.errors.NotConnected ||
        error instanceof Deno.errors.ConnectionAborted
      ) {
        continue;
      }
      throw error;
    }
  }
  return undefined;
}
