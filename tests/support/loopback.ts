/** Loopback listeners for tests: ports below 32768, outside the ephemeral range. */

/** Listens on 127.0.0.1 at a random port in 20000-32000, retrying on AddrInUse. */
export function listenOnRandomPort(): Deno.TcpListener {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_001);
    try {
      return Deno.listen({ hostname: "127.0.0.1", port });
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  throw new Error("no free port in 20000-32000");
}
