/**
 * Debian's Chromium for the HTML report's browser tests, driven through
 * tests/report/html_browser_driver.ts in a process of its own (`deno run
 * -A`: see there why).
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { PageVisit, Visit } from "../report/html_browser_driver.ts";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether {@link CHROMIUM} is installed. */
export const HAVE_CHROMIUM = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

const DRIVER = fileURLToPath(new URL("../report/html_browser_driver.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** Opens the pages in one browser, in order, and returns what each did. */
export async function visitPages(pages: PageVisit[]): Promise<Visit[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-A", "--config", CONFIG, DRIVER],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ pages })));
  await writer.close();
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `the browser driver failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}
