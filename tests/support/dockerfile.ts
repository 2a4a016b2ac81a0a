/**
 * deploy/Dockerfile read with dockerfile-ast (the parser of the Docker
 * language server), and the checks tests/deploy_test.ts makes of it: the
 * pinned Deno image, sources that exist, every module a run loads cached,
 * cli.ts under `-P`, a non-root user by number.
 */
import { DockerfileParser, type Instruction, type JSONInstruction } from "dockerfile-ast";
import type { Copy, Label } from "dockerfile-ast";

/** The official image the Dockerfile must start from (Deno's version here and in CI). */
export const DENO_IMAGE = "denoland/deno:2.9.6";

/** What the checks read from a Dockerfile. */
export interface DockerfileFacts {
  /** Every FROM's image. */
  froms: string[];
  /** The first FROM's image, or "". */
  from: string;
  /** LABEL keys to values. */
  labels: Record<string, string>;
  /** The last WORKDIR, or "/". */
  workdir: string;
  /** Each COPY: its sources, destination, and its `--from` stage if any. */
  copies: { sources: string[]; destination: string; fromStage: string | null }[];
  /** The last USER as written, or "" (root). */
  user: string;
  /** Its uid and gid, when given as numbers. */
  uid: number | null;
  gid: number | null;
  /** The RUN that starts with `deno cache`, as the shell gets it ("" when none). */
  cacheStep: string;
  /** The last ENTRYPOINT's words (exec form), and CMD's. */
  entrypoint: string[];
  cmd: string[];
}

const words = (instruction: Instruction) => instruction.getArguments().map((a) => a.getValue());
const jsonWords = (instruction: Instruction) =>
  (instruction as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());

/**
 * Reads a Dockerfile's facts.
 *
 * @example
 * ```ts
 * import { dockerfileFacts } from "./dockerfile.ts";
 * console.assert(dockerfileFacts("FROM a:1\nUSER 5:6").uid === 5);
 * ```
 */
export function dockerfileFacts(text: string): DockerfileFacts {
  const facts: DockerfileFacts = {
    froms: [],
    from: "",
    labels: {},
    workdir: "/",
    copies: [],
    user: "",
    uid: null,
    gid: null,
    cacheStep: "",
    entrypoint: [],
    cmd: [],
  };
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === "FROM") facts.froms.push(words(instruction)[0] ?? "");
    if (keyword === "LABEL") {
      for (const property of (instruction as Label).getProperties()) {
        facts.labels[property.getName()] = property.getValue() ?? "";
      }
    }
    if (keyword === "WORKDIR") facts.workdir = words(instruction)[0];
    if (keyword === "COPY") {
      // Flags (--from, --chown) are not among the arguments.
      const paths = words(instruction);
      facts.copies.push({
        sources: paths.slice(0, -1),
        destination: paths.at(-1) ?? "",
        fromStage: (instruction as Copy).getFromFlag()?.getValue() ?? null,
      });
    }
    if (keyword === "USER") {
      facts.user = words(instruction)[0] ?? "";
      const [uid, gid] = facts.user.split(":");
      facts.uid = /^\d+$/.test(uid) ? Number(uid) : null;
      facts.gid = gid !== undefined && /^\d+$/.test(gid) ? Number(gid) : null;
    }
    if (keyword === "RUN" && words(instruction).slice(0, 2).join(" ") === "deno cache") {
      facts.cacheStep = words(instruction).join(" ");
    }
    if (keyword === "ENTRYPOINT") facts.entrypoint = jsonWords(instruction);
    if (keyword === "CMD") facts.cmd = jsonWords(instruction);
  }
  facts.from = facts.froms[0] ?? "";
  return facts;
}

/** The paths `deno compile` is told to include: the modules a run starts by URL. */
function compileIncludes(config: { tasks: Record<string, string> }): string[] {
  return [...config.tasks.compile.matchAll(/--include (\S+)/g)].map((m) => m[1]);
}

/**
 * What is wrong with a Dockerfile of synfin, in words; `[]` when nothing.
 * `root` is the build context (synfin's folder), `config` its deno.json.
 *
 * @example
 * ```ts
 * import { dockerfileProblems } from "./dockerfile.ts";
 * const config = { version: "0.1.0", tasks: { compile: "deno compile cli.ts" } };
 * const problems = dockerfileProblems("FROM x", { root: new URL("file:///"), config });
 * console.assert(problems[0].startsWith('FROM is "x"'));
 * ```
 */
export function dockerfileProblems(
  text: string,
  { root, config }: { root: URL; config: { version: string; tasks: Record<string, string> } },
): string[] {
  const facts = dockerfileFacts(text);
  const problems: string[] = [];
  if (facts.froms.length !== 1 || facts.from !== DENO_IMAGE) {
    problems.push(`FROM is "${facts.froms.join(", ")}", not the pinned ${DENO_IMAGE}`);
  }
  const version = facts.labels["org.opencontainers.image.version"];
  if (version !== config.version) {
    problems.push(
      `LABEL org.opencontainers.image.version is "${version}", deno.json's version is ` +
        config.version,
    );
  }
  for (const copy of facts.copies) {
    if (copy.fromStage !== null) {
      problems.push(`COPY --from=${copy.fromStage}: the image is built from the repository alone`);
      continue;
    }
    for (const source of copy.sources) {
      try {
        Deno.statSync(new URL(source, root));
      } catch {
        problems.push(`COPY source ${source} is not in the repository`);
      }
    }
  }
  if (facts.uid === null || facts.uid === 0) {
    problems.push(`USER is "${facts.user}": give a non-root uid by number`);
  }
  const cached = facts.cacheStep.split(" ");
  if (!cached.includes("cli.ts")) problems.push("the deno cache step leaves out cli.ts");
  for (const path of compileIncludes(config)) {
    const covered = cached.some((word) =>
      word === path || (path.endsWith("/") && word.startsWith(path))
    );
    if (!covered) {
      problems.push(
        `the deno cache step leaves out ${path} (a module deno compile --includes)`,
      );
    }
  }
  const expected = `deno run -q -P --config ${facts.workdir}/deno.json ${facts.workdir}/cli.ts`;
  const entry = facts.entrypoint.slice(facts.entrypoint.indexOf("deno")).join(" ");
  if (entry !== expected) problems.push(`ENTRYPOINT is not ${expected}: "${entry}"`);
  return problems;
}
