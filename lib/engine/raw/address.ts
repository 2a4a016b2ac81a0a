/**
 * Turns a target's host into the address literal a `struct sockaddr` needs.
 * The raw engine connects with libc, so the name is resolved once, before
 * the run, the way `Deno.connect` would (getaddrinfo: /etc/hosts first,
 * which is where `localhost` lives; DNS-only `Deno.resolveDns` would miss it).
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { TargetUnreachableError } from "../../base/errors.ts";
import type { Target } from "../../base/target.ts";

/**
 * The IPv4 or IPv6 literal of `target.hostname`: the literal itself, or the
 * first address the resolver gives.
 *
 * @throws {TargetUnreachableError} when the name does not resolve (errno `ENOTFOUND`).
 * @example
 * ```ts
 * import { resolveAddress } from "./address.ts";
 * console.assert(await resolveAddress({ hostname: "::1", port: 80, label: "[::1]:80" }) === "::1");
 * const local = await resolveAddress({ hostname: "localhost", port: 80, label: "localhost:80" });
 * console.assert(local === "127.0.0.1" || local === "::1");
 * ```
 */
export async function resolveAddress(target: Target): Promise<string> {
  if (isIP(target.hostname) !== 0) return target.hostname;
  try {
    return (await lookup(target.hostname)).address;
  } catch (error) {
    throw new TargetUnreachableError(
      `Cannot resolve ${target.label}: host name not found (ENOTFOUND); check the spelling or ` +
        "use an IP address",
      { errno: "ENOTFOUND", cause: error },
    );
  }
}
