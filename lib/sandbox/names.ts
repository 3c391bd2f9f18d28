/** Sandbox configs are named with this prefix, so they read as such wherever configs are listed. */
export const SANDBOX_PREFIX = "Sandbox · ";
export const isSandboxName = (name: string) => name.startsWith(SANDBOX_PREFIX);
