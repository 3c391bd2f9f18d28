import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3210);
export const seedFile = path.join(path.dirname(fileURLToPath(import.meta.url)), ".state", "seed.json");

export interface SeedState {
  baseUrl: string;
  databaseUrl: string;
  tenantA: string;
  tenantB: string;
  owner: { email: string; password: string };
  viewer: { email: string; password: string };
  /** An API key of tenant B, and its id, for cross-tenant checks. */
  otherKey: string;
  otherKeyId: string;
}

export function readSeed(): SeedState {
  return JSON.parse(readFileSync(seedFile, "utf8")) as SeedState;
}
