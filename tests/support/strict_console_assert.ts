/**
 * Preloaded by `deno task doctest`: the doc examples state their facts with
 * `console.assert`, which in Deno only prints "Assertion failed" and lets the
 * example pass (three examples had gone false unnoticed, session 5). Here a
 * false assertion throws, so the example fails.
 *
 * @module
 */

console.assert = (condition?: boolean, ...message: unknown[]): void => {
  if (!condition) {
    throw new Error(`Assertion failed${message.length > 0 ? `: ${message.join(" ")}` : ""}`);
  }
};
