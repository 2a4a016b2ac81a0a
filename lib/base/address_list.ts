/**
 * IPv4 address ranges and lists: `127.0.0.1-127.0.0.4` (or `127.0.0.1-4`)
 * and `127.0.0.2,127.0.0.3`, for the destinations of a target and the
 * `--source` addresses of a load.
 *
 * @module
 */

import { UsageError } from "./errors.ts";

/** Most addresses (and most destinations of one target) a load spreads over. */
export const MAX_ADDRESSES = 256;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * The 32-bit value of a dotted IPv4 literal, `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import { ipv4Value } from "./address_list.ts";
 * console.assert(ipv4Value("127.0.0.1") === 0x7f000001 && ipv4Value("1.2.3.256") === undefined);
 * ```
 */
export function ipv4Value(text: string): number | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((value, octet) => value * 256 + octet, 0);
}

function ipv4Text(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/**
 * Whether `text` is written as an IPv4 range (`A-B` or `A-N`), valid or not:
 * such text is never a host name for synfin.
 *
 * @example
 * ```ts
 * import { looksLikeIpv4Range } from "./address_list.ts";
 * console.assert(looksLikeIpv4Range("127.0.0.1-4") && !looksLikeIpv4Range("my-host"));
 * ```
 */
export function looksLikeIpv4Range(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}-\d{1,3}(\.\d{1,3}){0,3}$/.test(text);
}

/**
 * Expands one IPv4 address or range into its addresses, in order. The end
 * of a range is a whole address or only its last octet (`127.0.0.1-4`).
 *
 * @returns the addresses, or the reason (a phrase) the text is not a range.
 * @example
 * ```ts
 * import { expandIpv4 } from "./address_list.ts";
 * console.assert(JSON.stringify(expandIpv4("127.0.0.1-3")) ===
 *   JSON.stringify(["127.0.0.1", "127.0.0.2", "127.0.0.3"]));
 * console.assert(typeof expandIpv4("127.0.0.4-127.0.0.1") === "string");
 * ```
 */
export function expandIpv4(text: string, max = MAX_ADDRESSES): string[] | string {
  const dash = text.indexOf("-");
  const firstText = dash < 0 ? text : text.slice(0, dash);
  const first = ipv4Value(firstText);
  if (first === undefined) return `"${firstText}" is not an IPv4 address`;
  if (dash < 0) return [firstText];
  let lastText = text.slice(dash + 1);
  if (/^\d{1,3}$/.test(lastText)) lastText = `${firstText.replace(/\d+$/, "")}${lastText}`;
  const last = ipv4Value(lastText);
  if (last === undefined) return `"${text.slice(dash + 1)}" is not an IPv4 address`;
  if (last < first) return `the range ${text} ends before it starts`;
  if (last - first + 1 > max) return `the range ${text} has more than ${max} addresses`;
  return Array.from({ length: last - first + 1 }, (_, i) => ipv4Text(first + i));
}

/**
 * Parses `--source`: IPv4 addresses and ranges, separated by commas, each
 * address at most once.
 *
 * @throws {UsageError} one line naming the bad text.
 * @example
 * ```ts
 * import { parseSourceAddresses } from "./address_list.ts";
 * console.assert(parseSourceAddresses("127.0.0.2-127.0.0.4,127.0.0.9").length === 4);
 * ```
 */
export function parseSourceAddresses(text: string, option = "--source"): string[] {
  const bad = (why: string) =>
    new UsageError(
      `Invalid ${option} "${text}": ${why}; give IPv4 addresses, e.g. 127.0.0.2-127.0.0.9 or ` +
        "127.0.0.2,127.0.0.3",
    );
  const addresses: string[] = [];
  for (const part of text.split(",")) {
    if (part === "") throw bad("an address is missing");
    const expanded = expandIpv4(part, MAX_ADDRESSES);
    if (typeof expanded === "string") throw bad(expanded);
    for (const address of expanded) {
      if (addresses.includes(address)) throw bad(`${address} is given twice`);
      addresses.push(address);
    }
    if (addresses.length > MAX_ADDRESSES) throw bad(`more than ${MAX_ADDRESSES} addresses`);
  }
  return addresses;
}
