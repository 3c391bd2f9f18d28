// Test helper: a real S3-compatible server (s3rver) in a child process on a free loopback port,
// with its data in a temp dir that is removed on stop. A child process keeps its memory out of
// the test process's RSS (the streamed-upload test measures that).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

const CHILD = `
import S3rver from "s3rver";
const [dir, bucket] = process.argv.slice(1);
const server = new S3rver({ port: 0, address: "127.0.0.1", directory: dir, silent: true, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
console.log(JSON.stringify({ port }));
process.stdin.resume();
process.stdin.on("end", async () => { await server.close(); process.exit(0); });
`;

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  /** Env for Herald's S3 backend against this server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server(bucket = "herald-test"): Promise<S3TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "herald-s3rver-"));
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD, dir, bucket], { stdio: ["pipe", "pipe", "inherit"], cwd: process.cwd() });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error("s3rver did not start within 20 s")), 20_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch (err) {
        reject(err);
      }
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited (${code})`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      HERALD_MEDIA_STORAGE: "s3",
      HERALD_S3_ENDPOINT: endpoint,
      HERALD_S3_BUCKET: bucket,
      HERALD_S3_REGION: "us-east-1",
      HERALD_S3_ACCESS_KEY_ID: "S3RVER",
      HERALD_S3_SECRET_ACCESS_KEY: "S3RVER",
      HERALD_S3_FORCE_PATH_STYLE: "true",
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
