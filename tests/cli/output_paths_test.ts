import assert from "node:assert/strict";
import { checkOutputPath } from "../../lib/cli/output_paths.ts";

Deno.test("checkOutputPath passes a writable new file and leaves nothing behind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    checkOutputPath(`${dir}/report.xml`, "--junit");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
    checkOutputPath("-", "--json");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkOutputPath leaves an existing report as it was", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, "{}\n");
    checkOutputPath(path, "--json");
    assert.equal(await Deno.readTextFile(path), "{}\n");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("checkOutputPath refuses in one line, as the write after the run would have", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.throws(() => checkOutputPath(`${dir}/no/such/dir/x.json`, "--json"), {
      name: "UsageError",
      message: `Cannot write --json ${dir}/no/such/dir/x.json: no such file or directory ` +
        "(ENOENT); give a writable path",
    });
    assert.throws(() => checkOutputPath(dir, "--junit"), {
      name: "UsageError",
      message: `Cannot write --junit ${dir}: it is a directory; give a writable path`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
