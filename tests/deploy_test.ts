// The deployment files in deploy/: the Kubernetes manifests validated
// against the Kubernetes API's own schemas (kubernetes-models), the GitHub
// Actions workflow parsed as YAML and checked for the structure a matrix
// of generators and a merge needs; and both checked to split one load
// the way `--segment auto/N` expects.

import assert from "node:assert/strict";
import { parseAllDocuments, parseDocument } from "yaml";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { parseSegment } from "../lib/engine/segment.ts";

const DEPLOY = new URL("../deploy/", import.meta.url);

// deno-lint-ignore no-explicit-any
type Any = any;

/** Every document of a YAML file, failing on any YAML error or warning (duplicate keys included). */
async function yamlDocuments(path: string): Promise<Any[]> {
  const text = await Deno.readTextFile(new URL(path, DEPLOY));
  return parseAllDocuments(text, { uniqueKeys: true }).map((doc) => {
    assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => e.message), [], path);
    return doc.toJS();
  });
}

const MODELS: Record<string, (value: Any) => { validate(): void }> = {
  "batch/v1 Job": (value) => new Job(value),
  "v1 PersistentVolumeClaim": (value) => new PersistentVolumeClaim(value),
};

Deno.test("deploy/k8s: every manifest validates against the Kubernetes API schema", async () => {
  const docs = await yamlDocuments("k8s/synfin-load.yaml");
  assert.ok(docs.length >= 3);
  for (const doc of docs) {
    const model = MODELS[`${doc.apiVersion} ${doc.kind}`];
    assert.ok(model, `no validator for ${doc.apiVersion} ${doc.kind}`);
    model(doc).validate();
  }
  // The validator can fail: a wrong completion mode, a container without a name.
  const load = docs.find((d) => d.metadata.name === "synfin-load");
  const broken = structuredClone(load);
  broken.spec.completionMode = "Indexy";
  delete broken.spec.template.spec.containers[0].name;
  assert.throws(() => new Job(broken).validate(), /completionMode.*allowed values.*name/s);
});

Deno.test("deploy/k8s: N indexed generators take auto/N and the merge waits for N summaries", async () => {
  const docs = await yamlDocuments("k8s/synfin-load.yaml");
  const byName = Object.fromEntries(docs.map((d) => [d.metadata.name, d]));
  const load = byName["synfin-load"].spec;
  assert.equal(load.completionMode, "Indexed");
  assert.equal(load.parallelism, load.completions, "every generator at once");
  const [generator] = load.template.spec.containers;
  const env = (container: Any) =>
    Object.fromEntries(container.env.map((e: Any) => [e.name, e.value]));
  const n = Number(env(generator).SEGMENTS);
  assert.equal(n, load.completions, "SEGMENTS = completions");
  const script: string = generator.args.join("\n");
  assert.match(script, /--segment "auto\/\$SEGMENTS"/);
  assert.match(script, /--json "\/results\/\.seg-\$JOB_COMPLETION_INDEX\.json"/);
  // Each index the Job controller hands out (0..N-1) is a valid segment.
  for (let index = 0; index < n; index++) {
    assert.deepEqual(parseSegment(`auto/${n}`, String(index)), { index: index + 1, count: n });
  }
  const merge = byName["synfin-merge"].spec.template.spec;
  assert.equal(Number(env(merge.initContainers[0]).SEGMENTS), n, "the merge waits for N");
  assert.match(merge.containers[0].args.join("\n"), /cli\.ts merge \/results\/seg-\*\.json/);
  // Both Jobs mount the one shared claim.
  const claim = byName["synfin-results"];
  assert.ok(claim.spec.accessModes.includes("ReadWriteMany"));
  for (const spec of [load.template.spec, merge]) {
    assert.equal(spec.volumes[0].persistentVolumeClaim.claimName, claim.metadata.name);
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      assert.deepEqual(c.volumeMounts, [{ name: spec.volumes[0].name, mountPath: "/results" }]);
    }
  }
});

Deno.test("deploy/github/load-matrix.yml: a matrix of generators, then a merge of their artifacts", async () => {
  const text = await Deno.readTextFile(new URL("github/load-matrix.yml", DEPLOY));
  const doc = parseDocument(text, { uniqueKeys: true });
  assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => e.message), []);
  const workflow: Any = doc.toJS();
  assert.ok(workflow.on.workflow_dispatch.inputs.target.required);
  for (const [name, job] of Object.entries<Any>(workflow.jobs)) {
    assert.equal(typeof job["runs-on"], "string", `${name}: runs-on`);
    for (const step of job.steps) {
      assert.ok(("uses" in step) !== ("run" in step), `${name}: a step has uses or run`);
      if (step.uses) assert.match(step.uses, /^[\w-]+\/[\w-]+@v\d+$/, `${name}: pinned action`);
    }
  }
  const generate = workflow.jobs.generate;
  const n = generate.strategy.matrix.generator.length;
  assert.deepEqual(generate.strategy.matrix.generator, Array.from({ length: n }, (_, i) => i + 1));
  assert.equal(generate.strategy["fail-fast"], false, "one failing generator keeps the others");
  const load = generate.steps.find((s: Any) => s.run?.includes("cli.ts load"));
  assert.equal(load.env.JOB_COMPLETION_INDEX, "${{ strategy.job-index }}");
  assert.match(load.run, /--segment "auto\/\$\{\{ strategy\.job-total \}\}"/);
  assert.match(load.run, /--json "seg-\$\{\{ matrix\.generator \}\}\.json"/);
  const upload = generate.steps.find((s: Any) => s.uses?.startsWith("actions/upload-artifact"));
  assert.equal(upload.with.path, "seg-${{ matrix.generator }}.json");
  const merge = workflow.jobs.merge;
  assert.equal(merge.needs, "generate");
  const download = merge.steps.find((s: Any) => s.uses?.startsWith("actions/download-artifact"));
  assert.deepEqual([download.with.pattern, download.with["merge-multiple"]], ["seg-*", true]);
  const run = merge.steps.find((s: Any) => s.run?.includes("cli.ts merge"));
  assert.match(run.run, new RegExp(`cli\\.ts merge ${download.with.path}/seg-\\*\\.json`));
});
