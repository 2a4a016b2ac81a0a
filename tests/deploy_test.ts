// The deployment files in deploy/: the Kubernetes manifests validated
// against the Kubernetes API's own schemas (kubernetes-models), the GitHub
// Actions workflow parsed as YAML and checked for the structure a matrix
// of generators and a merge needs; and both checked to split one load
// the way `--segment auto/N` expects. The Dockerfile parsed (dockerfile-ast)
// and checked against the repository and the manifests, and its cache step
// and entrypoint run from a copy of the files it copies. No image is built
// here: the base image's registry is out of reach (see README, "Docker").

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parseDocument } from "yaml";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { parseSegment } from "../lib/engine/segment.ts";
import { startReferenceServer } from "../lib/testing/reference_servers.ts";
import { dockerfileFacts, dockerfileProblems } from "./support/dockerfile.ts";

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

const ROOT = new URL("../", import.meta.url);
const DOCKERFILE = new URL("Dockerfile", DEPLOY);

Deno.test("deploy/Dockerfile: the pinned Deno image, the repository's files, cli.ts under -P, not root", async () => {
  const text = await Deno.readTextFile(DOCKERFILE);
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  assert.deepEqual(dockerfileProblems(text, { root: ROOT, config }), []);
  // The checks can fail: each of these breaks one.
  const broken = [
    "FROM denoland/deno:latest",
    'LABEL org.opencontainers.image.version="9.9.9"',
    "WORKDIR /app",
    "COPY deno.json cli.ts no-such-file.ts ./",
    "COPY --from=build /x /x",
    "USER root",
    "RUN deno cache cli.ts",
    'ENTRYPOINT ["deno", "run", "-A", "/app/cli.ts"]',
  ].join("\n");
  assert.deepEqual(dockerfileProblems(broken, { root: ROOT, config }), [
    'FROM is "denoland/deno:latest", not the pinned denoland/deno:2.9.6',
    'LABEL org.opencontainers.image.version is "9.9.9", deno.json\'s version is 0.1.0',
    "COPY source no-such-file.ts is not in the repository",
    "COPY --from=build: the image is built from the repository alone",
    'USER is "root": give a non-root uid by number',
    "the deno cache step leaves out lib/engine/worker.ts (a module deno compile --includes)",
    "the deno cache step leaves out lib/engine/raw/worker.ts (a module deno compile --includes)",
    "the deno cache step leaves out lib/engine/generator_main.ts (a module deno compile --includes)",
    "the deno cache step leaves out scenarios/sessions/ (a module deno compile --includes)",
    'ENTRYPOINT is not deno run -q -P --config /app/deno.json /app/cli.ts: "deno run -A /app/cli.ts"',
  ]);
});

Deno.test("deploy/Dockerfile: the manifest and the workflow run its image, its user and its command", async () => {
  const facts = dockerfileFacts(await Deno.readTextFile(DOCKERFILE));
  const { version } = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const docs = await yamlDocuments("k8s/synfin-load.yaml");
  const pods = docs.filter((d) => d.kind === "Job").map((d) => d.spec.template.spec);
  assert.equal(pods.length, 2);
  // The entrypoint without tini: what a container's sh -c script runs.
  const command = facts.entrypoint.slice(facts.entrypoint.indexOf("deno"), -1).join(" ");
  const cli = facts.entrypoint.at(-1)!;
  for (const pod of pods) {
    assert.deepEqual(pod.securityContext, {
      runAsNonRoot: true,
      runAsUser: facts.uid,
      runAsGroup: facts.gid,
      fsGroup: facts.gid,
    });
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      assert.equal(container.image, `synfin:${version}`, container.name);
      const script: string = container.args.join("\n");
      if (!script.includes("cli.ts")) continue;
      assert.ok(script.includes(`${command} `), `${container.name} runs ${command}: ${script}`);
      assert.ok(script.includes(` ${cli} `), `${container.name} runs ${cli}`);
    }
  }
  // The workflow runs synfin's folder on the same Deno, with the same permission set.
  const workflow: Any = parseDocument(
    await Deno.readTextFile(new URL("github/load-matrix.yml", DEPLOY)),
  ).toJS();
  for (const job of Object.values<Any>(workflow.jobs)) {
    const setup = job.steps.find((s: Any) => s.uses?.startsWith("denoland/setup-deno"));
    assert.equal(setup.with["deno-version"], `v${facts.from.split(":")[1]}`);
    const run = job.steps.find((s: Any) => s.run?.includes("cli.ts")).run;
    assert.match(run, /deno run -q -P cli\.ts /);
  }
});

Deno.test("deploy/Dockerfile: a copy of what it copies passes its cache step and runs check from its entrypoint", async () => {
  const facts = dockerfileFacts(await Deno.readTextFile(DOCKERFILE));
  const app = await Deno.makeTempDir({ prefix: "synfin-image-" });
  try {
    // COPY's rules: a folder's contents into a folder, files into a folder ending in "/".
    for (const { sources, destination } of facts.copies) {
      for (const source of sources) {
        const target = destination.endsWith("/") && !source.endsWith("/")
          ? `${app}/${destination}${source.split("/").at(-1)}`
          : `${app}/${destination}`;
        await Deno.mkdir(`${target.replace(/\/$/, "")}/..`, { recursive: true });
        const from = fileURLToPath(new URL(source, ROOT)).replace(/\/$/, "");
        const cp = await new Deno.Command("cp", { args: ["-R", "-T", from, target] }).output();
        assert.ok(cp.success, new TextDecoder().decode(cp.stderr));
      }
    }
    // The cache step as the build's shell runs it (Deno's cache is the test's: no download).
    const cache = await new Deno.Command("sh", {
      args: ["-c", facts.cacheStep.replace(/^deno /, `'${Deno.execPath()}' `)],
      cwd: app,
    }).output();
    assert.ok(cache.success, new TextDecoder().decode(cache.stderr));
    await using server = await startReferenceServer("well-behaved");
    const [deno, ...args] = facts.entrypoint.slice(facts.entrypoint.indexOf("deno"))
      .map((word) => word.replace(/^\/app\//, `${app}/`));
    assert.equal(deno, "deno");
    const run = await new Deno.Command(Deno.execPath(), {
      args: [...args, "check", "--case", "handshake/accepts", "--no-census", server.target.label],
      cwd: app,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, out);
    assert.match(out, /^PASS\s+MUST\s+handshake\/accepts/m);
  } finally {
    await Deno.remove(app, { recursive: true });
  }
});
