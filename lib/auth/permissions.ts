import type { Role } from "@/db/schema";

export const roles = ["owner", "admin", "staff", "viewer"] as const satisfies readonly Role[];

const rank: Record<Role, number> = { viewer: 0, staff: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: Role, min: Role): boolean {
  return rank[role] >= rank[min];
}

/**
 * Every scope an API key can hold, and the least role a signed-in member needs for the same
 * operation. One table, so keys and sessions are always checked against the same rule.
 */
export const scopeCatalog = {
  "messages:send": { role: "staff", description: "Send email, SMS, push and WhatsApp messages" },
  "messages:read": { role: "viewer", description: "Read messages, attempts and events" },
  "configs:read": { role: "viewer", description: "Read provider configurations" },
  "configs:write": { role: "admin", description: "Create and change provider configurations" },
  "call-events:write": { role: "staff", description: "Post telephony call events" },
  "calls:read": { role: "viewer", description: "Read call logs and the number pool" },
  "calls:write": { role: "staff", description: "Forward and hang up calls, manage the number pool" },
  "schools:read": { role: "viewer", description: "Read the school directory, including private fields" },
  "schools:write": { role: "staff", description: "Create, import and change schools" },
  "contacts:read": { role: "viewer", description: "Read contacts, lists and segments" },
  "contacts:write": { role: "staff", description: "Create, import, change and erase contacts; manage lists" },
  "reminders:read": { role: "viewer", description: "Read reminder schedules" },
  "reminders:write": { role: "staff", description: "Schedule and cancel reminders" },
  "webhooks:read": { role: "viewer", description: "Read webhook endpoints and deliveries" },
  "webhooks:write": { role: "admin", description: "Manage outbound webhook endpoints" },
  "usage:read": { role: "viewer", description: "Read usage metrics" },
  "otp:send": { role: "staff", description: "Send one-time passcodes (and resend them)" },
  "otp:verify": { role: "staff", description: "Check one-time passcodes" },
  "templates:read": { role: "viewer", description: "Read message templates and preview them" },
  "templates:write": { role: "staff", description: "Create, edit, publish and roll back message templates" },
  "media:read": { role: "viewer", description: "Read stored media and download it" },
  "media:write": { role: "staff", description: "Upload and delete media" },
  "integrations:read": { role: "viewer", description: "Read integrations (Customer.io, Kommo → Unisender), their sync state, failures and request log" },
  "integrations:write": { role: "admin", description: "Configure, authorize and operate integrations" },
} as const satisfies Record<string, { role: Role; description: string }>;

export type Scope = keyof typeof scopeCatalog;
export const allScopes = Object.keys(scopeCatalog) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.hasOwn(scopeCatalog, value);
}

export function roleForScope(scope: Scope): Role {
  return scopeCatalog[scope].role;
}
