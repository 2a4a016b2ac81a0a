/**
 * The lexing both socket-table parsers share: splitting a row into fields
 * and strict hex and decimal numbers, and the one-line format error. Internal
 * to the census (not re-exported by `mod.ts`).
 *
 * Tables reach 10^4+ rows on a loaded host and are re-read during a run, so
 * rows are split and decoded with char-code loops instead of a regex per row.
 *
 * @module
 */

import { SocketTableFormatError } from "../base/errors.ts";

const SPACE = 32;
const TAB = 9;
const CR = 13;

/**
 * Whether a char code is a field separator: space, tab, or the CR of a CRLF line.
 *
 * @example
 * ```ts
 * import { isBlank } from "./fields.ts";
 * console.assert(isBlank(" ".charCodeAt(0)) && !isBlank("x".charCodeAt(0)));
 * ```
 */
export function isBlank(code: number): boolean {
  return code === SPACE || code === TAB || code === CR;
}

/**
 * Splits on runs of blanks, stopping after `max` fields (the rest is unused).
 *
 * @example
 * ```ts
 * import { splitFields } from "./fields.ts";
 * console.assert(splitFields("  a  b\tc d", 3).join() === "a,b,c");
 * ```
 */
export function splitFields(line: string, max: number): string[] {
  const fields: string[] = [];
  const end = line.length;
  let i = 0;
  while (i < end && fields.length < max) {
    while (i < end && isBlank(line.charCodeAt(i))) i++;
    if (i === end) break;
    const start = i;
    while (i < end && !isBlank(line.charCodeAt(i))) i++;
    fields.push(line.slice(start, i));
  }
  return fields;
}

/**
 * Strict hex of `text[start..end)`: NaN on any non-hex character, unlike `parseInt`.
 *
 * @example
 * ```ts
 * import { parseHex } from "./fields.ts";
 * console.assert(parseHex("0100007F:4E21", 9, 13) === 20001);
 * console.assert(Number.isNaN(parseHex("4G", 0, 2)));
 * ```
 */
export function parseHex(text: string, start: number, end: number): number {
  if (end <= start || end - start > 13) return NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 65 && c <= 70) digit = c - 55;
    else if (c >= 97 && c <= 102) digit = c - 87;
    else return NaN;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * Strict decimal of `text[start..end)`: NaN on any non-digit character.
 *
 * @example
 * ```ts
 * import { parseDecimal } from "./fields.ts";
 * console.assert(parseDecimal("627841") === 627841);
 * console.assert(Number.isNaN(parseDecimal("62x841")));
 * ```
 */
export function parseDecimal(text: string, start = 0, end: number = text.length): number {
  if (end <= start || end - start > 15) return NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Throws the one-line {@link SocketTableFormatError} for a bad row, naming
 * the source and the line (cut at 80 characters).
 *
 * @throws {SocketTableFormatError} always.
 * @example
 * ```ts
 * import { formatError } from "./fields.ts";
 * try {
 *   formatError("ss -tan", 2, "bad Recv-Q or Send-Q", "ESTAB x 0 127.0.0.1:80 127.0.0.1:40000");
 * } catch (error) {
 *   console.assert((error as Error).message.startsWith("ss -tan line 2: bad Recv-Q"));
 * }
 * ```
 */
export function formatError(source: string, lineNumber: number, why: string, line: string): never {
  const shown = line.trim();
  throw new SocketTableFormatError(
    `${source} line ${lineNumber}: ${why}: "${
      shown.length > 80 ? `${shown.slice(0, 80)}...` : shown
    }"`,
  );
}
