import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Where the embedded default keeps its database, generated secrets and runtime info. */
export function dataDir(): string {
  return path.resolve(process.env.HERALD_DATA_DIR ?? ".data");
}

export function readJsonFile<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

export function writeJsonFile(file: string, value: unknown, mode = 0o600): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2) + "\n", { mode });
}

interface LocalSecrets {
  nextauthSecret: string;
  masterKey: string;
  embeddedPassword: string;
}

/**
 * Secrets for a machine that has none configured: generated once into .data/secrets.json
 * (mode 600). Production sets NEXTAUTH_SECRET and HERALD_MASTER_KEY in the environment.
 */
export function loadOrCreateLocalSecrets(): { secrets: LocalSecrets; created: boolean } {
  const file = path.join(dataDir(), "secrets.json");
  const existing = readJsonFile<LocalSecrets>(file);
  if (existing) return { secrets: existing, created: false };
  const secrets: LocalSecrets = {
    nextauthSecret: randomBytes(32).toString("base64url"),
    masterKey: randomBytes(32).toString("base64"),
    embeddedPassword: randomBytes(18).toString("base64url"),
  };
  writeJsonFile(file, secrets);
  return { secrets, created: true };
}
