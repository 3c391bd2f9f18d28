import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Flat config kept in scripts/ to keep the top level as the project layout lists it.
const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", ".data/**", "node_modules/**", "db/migrations/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "react-hooks/incompatible-library": "off",
    },
  },
  {
    // The server-only boundary. `import "server-only"` would throw under tsx (the custom server,
    // the CLI scripts) and vitest, so the boundary is this rule: client code (components, page
    // parts, react-query hooks) takes types from db/ and values only from the client-safe parts
    // of lib/ (validations, provider definitions, formatting, the API client).
    files: ["components/**/*.{ts,tsx}", "app/**/_components/**/*.{ts,tsx}", "lib/hooks/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/db", "@/db/*", "@/db/**"],
              allowTypeImports: true,
              message: "db/ is server-only: import types only, and values through lib/validations.",
            },
            {
              group: [
                ...["api", "audit", "broker", "jobs", "members", "messaging", "outbound-webhooks", "schools", "secrets", "server"].map((d) => `@/lib/${d}/**`),
                ...["suppressions", "telephony", "tenancy", "tenants", "usage", "webhooks", "test"].map((d) => `@/lib/${d}/**`),
                "@/lib/auth/*",
                "!@/lib/auth/permissions",
                "@/lib/logger",
                ...["registry", "provider-module", "adapter", "configs", "config-*", "callback-urls", "circuit-breaker", "credential-checks", "limiter"].map(
                  (f) => `@/lib/providers/${f}`,
                ),
                "@/lib/providers/*/*",
                "!@/lib/providers/*/definition",
              ],
              allowTypeImports: true,
              message: "This part of lib/ is server-only; client code may use validations, hooks, provider definitions, format and utils.",
            },
            { group: ["@/inngest/**", "@/e2e/**"], message: "Server and test code cannot be imported by client components." },
          ],
        },
      ],
    },
  },
  {
    // Tests read untyped JSON bodies all the time; `any` there is a convenience, not a hole.
    files: ["**/*.test.ts", "e2e/**/*.spec.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off", "no-empty-pattern": "off" },
  },
];

export default config;
