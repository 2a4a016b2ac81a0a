/**
 * Parses `HOST:PORT` targets: IPv4 (`127.0.0.1:8080`), bracketed IPv6
 * (`[::1]:8080`) and host names (`localhost:8080`); several destinations as
 * ports (`HOST:8080,8081`) and IPv4 ranges (`127.0.0.1-127.0.0.4:8080`).
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { expandIpv4, looksLikeIpv4Range, MAX_ADDRESSES } from "./address_list.ts";

/** One host and port a session connects to. */
export interface Destination {
  /** Host name or address literal, without IPv6 brackets. */
  hostname: string;
  /** TCP port, 1..65535. */
  port: number;
}

/**
 * A TCP endpoint to test: its host and port are the first (or only)
 * destination, which the preflight and the socket census look at.
 */
export interface Target extends Destination {
  /** The target as the user would type it: `127.0.0.1:80`, `[::1]:80`, `127.0.0.1-4:80,81`. */
  label: string;
  /**
   * Every destination sessions are spread over, round-robin, the first being
   * `hostname:port` itself; absent when there is only the one.
   */
  destinations?: readonly Destination[];
}

/**
 * `host:port` as a user types it: an IPv6 literal in brackets.
 *
 * @example
 * ```ts
 * import { destinationLabel } from "./target.ts";
 * console.assert(destinationLabel("::1", 8080) === "[::1]:8080");
 * console.assert(destinationLabel("127.0.0.1", 8080) === "127.0.0.1:8080");
 * ```
 */
export function destinationLabel(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Parses a `HOST:PORT` string. `PORT` may be a comma list and an IPv4
 * `HOST` a range (`A-B`, or `A-N` for the last octet): the target then has
 * every combination as its destinations, at most {@link MAX_ADDRESSES}.
 *
 * @throws {UsageError} when the text is not a host and port.
 * @example
 * ```ts
 * import { parseTarget } from "./target.ts";
 * const target = parseTarget("[::1]:8080");
 * console.assert(target.hostname === "::1" && target.port === 8080);
 * const spread = parseTarget("127.0.0.1-127.0.0.2:8080,8081");
 * console.assert(spread.destinations?.length === 4 && spread.port === 8080);
 * ```
 */
export function parseTarget(text: string): Target {
  const bad = (why: string) =>
    new UsageError(
      `Invalid target "${text}": ${why}; use HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080`,
    );
  let hosts: string[];
  let hostLabel: string;
  let portText: string;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end < 0 || text[end + 1] !== ":") throw bad("an IPv6 address needs brackets and a port");
    const hostname = text.slice(1, end);
    portText = text.slice(end + 2);
    if (!hostname.includes(":") || !/^[0-9A-Fa-f:.%A-Za-z]+$/.test(hostname)) {
      throw bad(`"${hostname}" is not an IPv6 address`);
    }
    [hosts, hostLabel] = [[hostname], `[${hostname}]`];
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw bad("no port");
    hostLabel = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (hostLabel.includes(":")) throw bad("put an IPv6 address in brackets");
    if (looksLikeIpv4Range(hostLabel)) {
      const range = expandIpv4(hostLabel);
      if (typeof range === "string") throw bad(range);
      hosts = range;
    } else if (IPV4.test(hostLabel)) {
      const octets = IPV4.exec(hostLabel)!.slice(1);
      if (octets.some((octet) => Number(octet) > 255)) {
        throw bad(`"${hostLabel}" is not an IPv4 address`);
      }
      hosts = [hostLabel];
    } else if (!HOSTNAME.test(hostLabel)) {
      throw bad(`"${hostLabel}" is not a host name`);
    } else hosts = [hostLabel];
  }
  const ports: number[] = [];
  for (const one of portText.split(",")) {
    if (!/^\d{1,5}$/.test(one)) throw bad(`port "${one}" is not a number`);
    const port = Number(one);
    if (port < 1 || port > 65535) throw bad(`port ${port} is out of range 1-65535`);
    if (ports.includes(port)) throw bad(`port ${port} is given twice`);
    ports.push(port);
  }
  const count = hosts.length * ports.length;
  if (count > MAX_ADDRESSES) throw bad(`${count} destinations are more than ${MAX_ADDRESSES}`);
  const [hostname, port] = [hosts[0], ports[0]];
  if (count === 1) {
    return { hostname, port, label: destinationLabel(hostname, port) };
  }
  const destinations = hosts.flatMap((host) => ports.map((p) => ({ hostname: host, port: p })));
  return { hostname, port, label: `${hostLabel}:${ports.join(",")}`, destinations };
}

/**
 * Every destination of a target, the first being the target's own host and port.
 *
 * @example
 * ```ts
 * import { destinationsOf, parseTarget } from "./target.ts";
 * console.assert(destinationsOf(parseTarget("127.0.0.1:80")).length === 1);
 * console.assert(destinationsOf(parseTarget("127.0.0.1-4:80,81")).length === 8);
 * ```
 */
export function destinationsOf(target: Target): readonly Destination[] {
  return target.destinations ?? [{ hostname: target.hostname, port: target.port }];
}

/**
 * Whether every destination of a target is a loopback address or
 * `localhost` (where tests and benchmarks are allowed to aim load).
 *
 * @example
 * ```ts
 * import { isLoopback, parseTarget } from "./target.ts";
 * console.assert(isLoopback(parseTarget("127.0.0.9:80")));
 * console.assert(!isLoopback(parseTarget("example.com:80")));
 * ```
 */
export function isLoopback(target: Target): boolean {
  return destinationsOf(target).every(({ hostname }) => {
    const host = hostname.toLowerCase();
    return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  });
}
