// The GitHub Action's size and speed: `npx tsx bench/action.ts` (or import runActionBench()).
//
//   bundleBytes    dist/index.js as `npm run build` makes it (a fresh bundle of the current source)
//   lazyBytes      files next to it that are loaded only when needed (mvdan-sh for Dockerfile RUN)
//   coldStartMs    `node dist/index.js` up to its first decision (an input error): Node start-up
//                  plus loading the bundle; median of 7
//   twentyFilePrMs wall time of the built action (review mode, a child process) on a pull request
//                  of 20 manifest/Dockerfile files against the loopback fake GitHub: check run,
//                  contents, review, annotations; median of 3 (goal: ≤ 2,000 ms)
//   twentyFilePrCpuMs  the same run's CPU time (user + system) in the action's process: less
//                  sensitive than wall time to a busy machine (the fake GitHub runs in this process)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { buildAction, OWNER, prEvent, REPO, removeBuild, runAction } from "../test/action/support/harness.js";
import { startFake } from "../test/support/fake-stack.js";

export interface ActionBench {
  bundleBytes: number;
  lazyBytes: number;
  coldStartMs: number;
  twentyFilePrMs: number;
  twentyFilePrCpuMs: number;
  /** Every measured run, for the curious. */
  runs: { coldStartMs: number[]; twentyFilePrMs: number[]; twentyFilePrCpuMs: number[] };
  /** 1-minute load average while measuring (os.loadavg), and CPUs: context for the wall times. */
  load: { average: number; cpus: number };
  /** What the 20-file run did (sanity: it really reviewed). */
  pr: { exitCode: number | null; requests: number; comments: number; annotations: number };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function deployment(i: number): string {
  return [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: app-${i}`,
    `  namespace: team-${i % 3}`,
    "spec:",
    "  replicas: 2",
    "  selector:",
    `    matchLabels: {app: app-${i}}`,
    "  template:",
    "    metadata:",
    `      labels: {app: app-${i}}`,
    "    spec:",
    "      containers:",
    "        - name: app",
    `          image: registry.example.com/app-${i}:1.${i}.0`,
    "          ports: [{containerPort: 8080}]",
    "          securityContext:",
    `            privileged: ${i % 4 === 0 ? "true" : "false"}`,
    "            allowPrivilegeEscalation: false",
    "---",
    "apiVersion: v1",
    "kind: Service",
    "metadata:",
    `  name: app-${i}`,
    `  namespace: team-${i % 3}`,
    "spec:",
    `  selector: {app: app-${i}}`,
    "  ports: [{port: 80, targetPort: 8080}]",
    "",
  ].join("\n");
}

function dockerfile(i: number): string {
  return `FROM node:20-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN npm ci && npm run build\n\nFROM node:20-alpine\nCOPY --from=build /src/dist /app\n${i % 2 ? "USER node\n" : ""}CMD ["node", "/app/server-${i}.js"]\n`;
}

/** 20 files: 16 manifests (Deployment + Service each) and 4 Dockerfiles. */
export function twentyFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 16; i++) files[`k8s/app-${i}.yaml`] = deployment(i);
  for (let i = 0; i < 4; i++) files[`services/svc-${i}/Dockerfile`] = dockerfile(i);
  return files;
}

async function coldStart(bundle: string): Promise<number> {
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    // No token: the action reads its inputs and stops (exit 1) — start-up and bundle load only.
    const child = spawn(process.execPath, [bundle], { env: { PATH: process.env.PATH ?? "", GITHUB_REPOSITORY: `${OWNER}/${REPO}` }, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function runActionBench(opts: { coldRuns?: number; prRuns?: number } = {}): Promise<ActionBench> {
  const bundle = await buildAction();
  try {
    const dir = join(bundle, "..");
    const bundleBytes = statSync(bundle).size;
    const lazyBytes = readdirSync(dir)
      .filter((f) => f.endsWith(".cjs"))
      .reduce((n, f) => n + statSync(join(dir, f)).size, 0);

    const cold: number[] = [];
    await coldStart(bundle); // file-system cache warm-up, not counted
    for (let i = 0; i < (opts.coldRuns ?? 7); i++) cold.push(await coldStart(bundle));

    // A wrapper that runs the bundle and records the process's CPU time at exit.
    const tmp = mkdtempSync(join(tmpdir(), "bulwark-bench-"));
    const wrapper = join(tmp, "cpu.mjs");
    writeFileSync(
      wrapper,
      `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => { const u = process.cpuUsage(); writeFileSync(process.env.BENCH_CPU_FILE, String((u.user + u.system) / 1000)); });\nawait import(process.env.BENCH_BUNDLE);\n`,
    );
    const prTimes: number[] = [];
    const cpuTimes: number[] = [];
    const loads: number[] = [];
    let pr: ActionBench["pr"] = { exitCode: null, requests: 0, comments: 0, annotations: 0 };
    for (let i = 0; i < (opts.prRuns ?? 3); i++) {
      const fake = await startFake();
      try {
        fake.gh.createRepo({ owner: OWNER, repo: REPO, files: { "README.md": "# bench\n" } });
        fake.gh.commit({ owner: OWNER, repo: REPO, branch: "feature", files: twentyFiles() });
        const opened = fake.gh.openPullRequest({ owner: OWNER, repo: REPO, head: "feature" });
        const cpuFile = join(tmp, `cpu-${i}`);
        loads.push(loadavg()[0]!);
        const run = await runAction(wrapper, fake, { event: "pull_request", payload: prEvent(fake.gh, opened.number), env: { BENCH_BUNDLE: pathToFileURL(bundle).href, BENCH_CPU_FILE: cpuFile } });
        rmSync(run.workspace, { recursive: true, force: true });
        prTimes.push(run.ms);
        cpuTimes.push(Number(readFileSync(cpuFile, "utf8")));
        fake.assertNoViolations();
        const check = fake.gh.checkRuns(OWNER, REPO)[0];
        pr = { exitCode: run.code, requests: fake.proxy.count("*"), comments: fake.gh.reviewCommentsOf(OWNER, REPO, opened.number).length, annotations: check?.annotations.length ?? 0 };
      } finally {
        await fake.stop();
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    return {
      bundleBytes,
      lazyBytes,
      coldStartMs: Math.round(median(cold)),
      twentyFilePrMs: Math.round(median(prTimes)),
      twentyFilePrCpuMs: Math.round(median(cpuTimes)),
      runs: { coldStartMs: cold.map(Math.round), twentyFilePrMs: prTimes, twentyFilePrCpuMs: cpuTimes.map(Math.round) },
      load: { average: Number(median(loads).toFixed(1)), cpus: cpus().length },
      pr,
    };
  } finally {
    removeBuild();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runActionBench();
  console.log(JSON.stringify(r, null, 2));
  console.log(
    `bundle ${(r.bundleBytes / 1024 / 1024).toFixed(2)} MB (+${(r.lazyBytes / 1024 / 1024).toFixed(2)} MB loaded on demand) · cold start ${r.coldStartMs} ms · ` +
      `20-file PR ${r.twentyFilePrMs} ms wall, ${r.twentyFilePrCpuMs} ms CPU (goal ≤ 2000 ms) · load ${r.load.average} on ${r.load.cpus} CPUs`,
  );
}
