/**
 * Parses `HOST:PORT` targets: IPv4 (`127.0.0.1:8080`), bracketed IPv6
 * (`[::1]:8080`) and host names (`localhost:8080`).
 *
 * @module
 */

import { UsageError } from "./errors.ts";

/** A TCP endpoint to test. */
export interface Target {
  /** Host name or address literal, without IPv6 brackets. */
  hostname: string;
  /** TCP port, 1..65535. */
  port: number;
  /** The target as the user would type it: `127.0.0.1:80`, `[::1]:80`. */
  label: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Parses a `HOST:PORT` string.
 *
 * @throws {UsageError} when the text is not a host and port.
 * @example
 * ```ts
 * import { parseTarget } from "./target.ts";
 * const target = parseTarget("[::1]:8080");
 * console.assert(target.hostname === "::1" && target.port === 8080);
 * ```
 */
export function parseTarget(text: string): Target {
  const bad = (why: string) =>
    new UsageError(
      `Invalid target "${text}": ${why}; use HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080`,
    );
  let hostname: string;
  let portText: string;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end < 0 || text[end + 1] !== ":") throw bad("an IPv6 address needs brackets and a port");
    hostname = text.slice(1, end);
    portText = text.slice(end + 2);
    if (!hostname.includes(":") || !/^[0-9A-Fa-f:.%A-Za-z]+$/.test(hostname)) {
      throw bad(`"${hostname}" is not an IPv6 address`);
    }
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw bad("no port");
    hostname = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (hostname.includes(":")) throw bad("put an IPv6 address in brackets");
    const v4 = IPV4.exec(hostname);
    if (v4) {
      if (v4.slice(1).some((octet) => Number(octet) > 255)) {
        throw bad(`"${hostname}" is not an IPv4 address`);
      }
    } else if (!HOSTNAME.test(hostname)) {
      throw bad(`"${hostname}" is not a host name`);
    }
  }
  if (!/^\d{1,5}$/.test(portText)) throw bad(`port "${portText}" is not a number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw bad(`port ${port} is out of range 1-65535`);
  const label = hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
  return { hostname, port, label };
}

/**
 * Whether a target's host is a loopback address or `localhost` (where tests
 * and benchmarks are allowed to aim load).
 *
 * @example
 * ```ts
 * import { isLoopback, parseTarget } from "./target.ts";
 * console.assert(isLoopback(parseTarget("127.0.0.9:80")));
 * console.assert(!isLoopback(parseTarget("example.com:80")));
 * ```
 */
export function isLoopback(target: Target): boolean {
  const host = target.hostname.toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
