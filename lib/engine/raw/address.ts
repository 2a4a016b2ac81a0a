/**
 * Turns a target's host into the address literal a `struct sockaddr` needs.
 * The raw engine connects with libc, so the name is resolved once, before
 * the run, the way `Deno.connect` would (getaddrinfo: /etc/hosts first,
 * which is where `localhost` lives; DNS-only `Deno.resolveDns` would miss it).
 *
 * @module
 */

import { TargetUnreachableError } from "../../base/errors.ts";
import { type Destination, destinationsOf, type Target } from "../../base/target.ts";
import type { RawDestination } from "./loop_plan.ts";

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
export async function resolveAddress(target: Target | Destination): Promise<string> {
  if (isAddressLiteral(target.hostname)) return target.hostname;
  try {
    // Loaded only for a name: node:dns and node:net start Deno's Node layer,
    // which a generator process holding connections to literals does without
    // (about 2.5 MB VmRSS per generator, bench/hold_bench.ts).
    const { lookup } = await import("node:dns/promises");
    return (await lookup(target.hostname)).address;
  } catch (error) {
    const label = "label" in target ? target.label : `${target.hostname}:${target.port}`;
    throw new TargetUnreachableError(
      `Cannot resolve ${label}: host name not found (ENOTFOUND); check the spelling or ` +
        "use an IP address",
      { errno: "ENOTFOUND", cause: error },
    );
  }
}

/**
 * Whether `host` is an IPv4 or IPv6 literal in the canonical form the URL
 * parser gives it (`127.0.0.1`, `::1`). Any other spelling (`127.1`,
 * `0:0::1`) goes through the resolver, which returns a literal unchanged.
 *
 * @example
 * ```ts
 * import { isAddressLiteral } from "./address.ts";
 * console.assert(isAddressLiteral("127.0.0.1") && isAddressLiteral("::1"));
 * console.assert(!isAddressLiteral("localhost") && !isAddressLiteral("127.1"));
 * ```
 */
export function isAddressLiteral(host: string): boolean {
  const v6 = host.includes(":");
  try {
    const parsed = new URL(`http://${v6 ? `[${host}]` : host}/`).hostname;
    return v6 ? parsed === `[${host}]` : parsed === host && /^[\d.]+$/.test(host);
  } catch {
    return false;
  }
}

/**
 * Every destination of a target with its host resolved (each name once).
 *
 * @throws {TargetUnreachableError} when a name does not resolve.
 * @example
 * ```ts
 * import { resolveDestinations } from "./address.ts";
 * import { parseTarget } from "../../base/target.ts";
 * const all = await resolveDestinations(parseTarget("127.0.0.1-2:80,81"));
 * console.assert(all.map((d) => `${d.address}:${d.port}`).join() ===
 *   "127.0.0.1:80,127.0.0.1:81,127.0.0.2:80,127.0.0.2:81");
 * ```
 */
export async function resolveDestinations(target: Target): Promise<RawDestination[]> {
  const resolved = new Map<string, string>();
  const all: RawDestination[] = [];
  for (const destination of destinationsOf(target)) {
    let address = resolved.get(destination.hostname);
    if (address === undefined) {
      address = await resolveAddress(
        destination.hostname === target.hostname ? target : destination,
      );
      resolved.set(destination.hostname, address);
    }
    all.push({ address, port: destination.port });
  }
  return all;
}

/**
 * The target with its destinations as resolved address literals: scripted
 * sessions on the raw engine connect to literals, as its own loop does.
 *
 * @example
 * ```ts
 * import { literalTarget } from "./address.ts";
 * import { parseTarget } from "../../base/target.ts";
 * const target = literalTarget(parseTarget("localhost:80"), [{ address: "127.0.0.1", port: 80 }]);
 * console.assert(target.destinations?.[0].hostname === "127.0.0.1");
 * ```
 */
export function literalTarget(target: Target, destinations: readonly RawDestination[]): Target {
  return {
    ...target,
    destinations: destinations.map((d) => ({ hostname: d.address, port: d.port })),
  };
}
