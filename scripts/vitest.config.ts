import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  root,
  resolve: { alias: { "@": root } },
  test: {
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", ".next/**", ".data/**", "e2e/**/*.spec.ts"],
    globalSetup: ["scripts/test-global-setup.ts"],
    setupFiles: ["scripts/test-file-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Said explicitly: left to its default, Vitest ran one file at a time on the 2-core CI machine,
    // and most of a file's time here is waiting on Postgres, RabbitMQ and timers, not CPU.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || 2,
  },
});
