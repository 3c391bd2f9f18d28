// Firebase Cloud Messaging: settings, secret fields, form fields, limits and routing.
import { z } from "zod";
import { defineProvider } from "../definition";
import { serviceAccountProblem } from "./service-account";

export const fcmDefinition = defineProvider({
  kind: "fcm",
  label: "Firebase Cloud Messaging",
  channel: "push",
  settings: {
    project_id: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "A Firebase project id: 6–30 lower-case letters, digits and dashes"),
    default_ttl_seconds: z.number().int("Whole seconds").min(0).max(2_419_200, "At most 28 days (2419200 s)"),
    default_priority: z.enum(["normal", "high"]),
  },
  fields: {
    project_id: { label: "Project ID", kind: "text" },
    default_ttl_seconds: { label: "Default TTL (seconds)", kind: "number" },
    default_priority: { label: "Default priority", kind: "select", options: ["normal", "high"] },
  },
  defaults: { default_ttl_seconds: 2_419_200, default_priority: "high" },
  credentials: {
    service_account_json_ref: { label: "Service account JSON", multiline: true, description: "The key file from the Firebase console" },
  },
  derived: [],
  limits: { concurrency: 64, ratePerSecond: null },
  postsWebhooks: false,
  apiBaseUrl: "https://fcm.googleapis.com",
  pushAddress: "device_token",
  validateCredential: (field, value, settings) => (field === "service_account_json_ref" ? serviceAccountProblem(value, settings) : null),
  routing: {
    order: 0,
    describe: "FCM for device tokens and topics",
    cannotServe: (_s, a) => (a.pushTarget && !a.pushTarget.deviceToken && !a.pushTarget.topic ? "FCM needs a device token or a topic" : null),
  },
});
