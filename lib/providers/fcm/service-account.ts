// The shape check of a pasted Firebase service account key, before it is stored (never echoing it).

/** What is wrong with the key file for this config, or null when it looks right. */
export function serviceAccountProblem(value: string, settings: Record<string, unknown>): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return "Paste the whole service account key file (JSON)";
  }
  const sa = parsed as Record<string, unknown>;
  const missing = ["type", "project_id", "private_key", "client_email"].filter((k) => typeof sa?.[k] !== "string" || !sa[k]);
  if (missing.length > 0 || sa.type !== "service_account") {
    return `Not a service account key file (missing ${missing.join(", ") || "type=service_account"})`;
  }
  if (typeof settings.project_id === "string" && sa.project_id !== settings.project_id) {
    return `The key belongs to project ${String(sa.project_id)}, not ${settings.project_id}`;
  }
  return null;
}
