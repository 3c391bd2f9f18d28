import { createTestDatabase } from "../lib/server/test-database";

/**
 * Vitest global setup: one freshly migrated database per run, used as the template that every
 * test file copies (scripts/test-file-setup.ts), so files never share rows, jobs or queues.
 */
export default async function setup() {
  const template = await createTestDatabase();
  process.env.HERALD_TEST_TEMPLATE_URL = template.url;
  process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-0123456789abcdef";
  process.env.HERALD_MASTER_KEY ??= Buffer.alloc(32, 7).toString("base64");
  // Tests point provider configs at the simulator on loopback; everything else stays refused.
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS ??= "127.0.0.1,localhost";
  (process.env as Record<string, string>).NODE_ENV = "test";
  return async () => {
    await template.drop();
  };
}
