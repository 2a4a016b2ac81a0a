/**
 * Checks of a load's source addresses before anything connects: only the
 * raw engine binds them (`Deno.connect` takes no local address), and each
 * must be an address of this machine of the destinations' family.
 *
 * @module
 */

import { UsageError } from "../base/errors.ts";
import type { EngineChoice } from "./engine_choice.ts";
import { AddressSpread } from "./raw/address_spread.ts";
import { errnoName, openLibc } from "./raw/libc.ts";

/**
 * Throws when source addresses are given to an engine that cannot bind them.
 *
 * @throws {UsageError} when `sources` is not empty and the engine is `deno`.
 * @example
 * ```ts
 * import { checkSourcesEngine } from "./sources.ts";
 * checkSourcesEngine([], { engine: "deno" }); // no sources: any engine
 * let said = "";
 * try {
 *   checkSourcesEngine(["127.0.0.2"], { engine: "deno" });
 * } catch (error) {
 *   said = (error as Error).message;
 * }
 * console.assert(said.startsWith("Cannot use --source with --engine deno"));
 * ```
 */
export function checkSourcesEngine(sources: readonly string[], choice: EngineChoice): void {
  if (sources.length === 0 || choice.engine === "raw") return;
  throw new UsageError(
    choice.fallbackReason === undefined
      ? "Cannot use --source with --engine deno: Deno.connect cannot bind a source address; " +
        "use --engine raw"
      : `Cannot use --source: it needs the raw engine, which cannot run here (${choice.fallbackReason})`,
  );
}

/**
 * Binds each source address once, as the raw loop will (no port), toward
 * the first destination: a source that is not an address of this machine,
 * or of another family, fails now, in one line, not as every session's
 * error.
 *
 * @throws {UsageError} naming the first source that cannot be bound.
 * @example
 * ```ts
 * import { checkSourcesBind } from "./sources.ts";
 * checkSourcesBind(["127.0.0.2"], [{ address: "127.0.0.1", port: 80 }]);
 * let said = "";
 * try {
 *   checkSourcesBind(["127.0.0.2"], [{ address: "::1", port: 80 }]);
 * } catch (error) {
 *   said = (error as Error).message;
 * }
 * console.assert(said.includes("IPv4"), said);
 * ```
 */
export function checkSourcesBind(
  sources: readonly string[],
  destinations: readonly { address: string; port: number }[],
): void {
  if (sources.length === 0) return;
  const v6 = destinations.find((d) => d.address.includes(":"));
  if (v6) {
    throw new UsageError(
      `Cannot use --source with ${v6.address}: source addresses are IPv4, the destination is IPv6`,
    );
  }
  const libc = openLibc();
  try {
    for (const source of sources) {
      const fd = new AddressSpread(libc, destinations, [source]).open();
      if (fd >= 0) {
        libc.symbols.close(fd);
        continue;
      }
      const errno = errnoName(-fd);
      const why = errno === "EADDRNOTAVAIL" ? "it is not an address of this machine" : errno;
      throw new UsageError(`Cannot bind source address ${source}: ${why} (${errno})`);
    }
  } finally {
    libc.close();
  }
}
