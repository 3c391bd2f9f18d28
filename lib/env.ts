/** A positive number from the environment, or the fallback when unset, empty or not a positive number. */
export function positiveNumberEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env[name]);
  return env[name] !== undefined && env[name] !== "" && Number.isFinite(v) && v > 0 ? v : fallback;
}
