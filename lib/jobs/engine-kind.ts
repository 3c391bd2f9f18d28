export type EngineKind = "inngest" | "pg-boss";

/** Inngest runs the workflows when an Inngest server is configured; pg-boss otherwise. */
export function engineKind(env: NodeJS.ProcessEnv = process.env): EngineKind {
  return env.INNGEST_DEV || env.INNGEST_EVENT_KEY ? "inngest" : "pg-boss";
}
