// The Typesense side of school search: configuration, the collection schema (created
// idempotently), the document Herald indexes, and the sync operations the workflow and the
// reindex command use. Only public fields go to Typesense; contact fields stay in Postgres.
import { Client, Errors } from "typesense";
import type { CollectionFieldSchema } from "typesense/lib/Typesense/Collection";
import type { School } from "@/db/schema";
import { logger } from "@/lib/logger";
import { foldText } from "../fold";

export interface TypesenseConfig {
  host: string;
  port: number;
  protocol: "http" | "https";
  apiKey: string;
  collection: string;
  timeoutSeconds: number;
}

/** Typesense is used when TYPESENSE_HOST and TYPESENSE_API_KEY are set; otherwise Postgres answers. */
export function typesenseConfig(env: NodeJS.ProcessEnv = process.env): TypesenseConfig | null {
  const host = env.TYPESENSE_HOST?.trim();
  const apiKey = env.TYPESENSE_API_KEY?.trim();
  if (!host || !apiKey) return null;
  const protocol = (env.TYPESENSE_PROTOCOL ?? "http").trim().toLowerCase();
  if (protocol !== "http" && protocol !== "https") throw new Error("TYPESENSE_PROTOCOL must be http or https");
  const port = Number(env.TYPESENSE_PORT ?? (protocol === "https" ? 443 : 8108));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error("TYPESENSE_PORT must be a port number");
  return {
    host,
    port,
    protocol,
    apiKey,
    collection: env.TYPESENSE_COLLECTION?.trim() || "herald_schools",
    timeoutSeconds: Number(env.TYPESENSE_TIMEOUT_SECONDS ?? 5),
  };
}

const clients = new Map<string, Client>();

export function typesenseClient(config: TypesenseConfig): Client {
  const key = `${config.protocol}://${config.host}:${config.port}/${config.apiKey}`;
  let client = clients.get(key);
  if (!client) {
    client = new Client({
      nodes: [{ host: config.host, port: config.port, protocol: config.protocol }],
      apiKey: config.apiKey,
      connectionTimeoutSeconds: config.timeoutSeconds,
      // Retries belong to the workflow (which backs off); a search fails fast.
      numRetries: 1,
      retryIntervalSeconds: 0.1,
      logLevel: "silent",
    });
    clients.set(key, client);
  }
  return client;
}

/** Searchable text is folded by Herald (Turkish ı/İ included) so both engines match alike. */
export const schoolCollectionFields: CollectionFieldSchema[] = [
  { name: "tenant_id", type: "string" },
  { name: "is_public", type: "bool" },
  { name: "type", type: "string", facet: true },
  { name: "city", type: "string", facet: true },
  { name: "city_key", type: "string" },
  { name: "name_search", type: "string" },
  { name: "place_search", type: "string", optional: true },
  { name: "extra_search", type: "string", optional: true },
  { name: "name_sort", type: "string", sort: true },
  { name: "location", type: "geopoint", optional: true },
  { name: "synced_at", type: "int64" },
  // Stored for display, not indexed.
  { name: "name", type: "string", index: false, optional: true },
  { name: "slug", type: "string", index: false, optional: true },
  { name: "district", type: "string", index: false, optional: true },
  { name: "address", type: "string", index: false, optional: true },
  { name: "website", type: "string", index: false, optional: true },
  { name: "tags", type: "string[]", index: false, optional: true },
  { name: "latitude", type: "float", index: false, optional: true },
  { name: "longitude", type: "float", index: false, optional: true },
];

export interface SchoolDocument {
  id: string;
  tenant_id: string;
  is_public: boolean;
  type: string;
  city: string;
  city_key: string;
  name_search: string;
  place_search?: string;
  extra_search?: string;
  name_sort: string;
  location?: [number, number];
  synced_at: number;
  name: string;
  slug: string;
  district?: string;
  address?: string;
  website?: string;
  tags: string[];
  latitude?: number;
  longitude?: number;
}

/** The document for one school: public fields only — phone and email are never sent. */
export function toSchoolDocument(s: School, syncedAt: number): SchoolDocument {
  const doc: SchoolDocument = {
    id: s.id,
    tenant_id: s.tenantId,
    is_public: s.isPublic,
    type: s.type,
    city: s.city,
    city_key: foldText(s.city),
    name_search: foldText(s.name),
    name_sort: foldText(s.name),
    synced_at: syncedAt,
    name: s.name,
    slug: s.slug,
    tags: s.tags,
  };
  const place = [s.city, s.district].filter(Boolean).join(" ");
  if (place) doc.place_search = foldText(place);
  const extra = [...s.tags, s.address ?? ""].filter(Boolean).join(" ");
  if (extra) doc.extra_search = foldText(extra);
  if (s.district) doc.district = s.district;
  if (s.address) doc.address = s.address;
  if (s.website) doc.website = s.website;
  if (s.latitude !== null && s.longitude !== null) {
    doc.location = [s.latitude, s.longitude];
    doc.latitude = s.latitude;
    doc.longitude = s.longitude;
  }
  return doc;
}

/**
 * Creates the collection if it is missing and adds fields a newer Herald declares; safe to
 * call from every sync and from concurrent processes.
 */
export async function ensureSchoolCollection(config: TypesenseConfig): Promise<"created" | "updated" | "unchanged"> {
  const client = typesenseClient(config);
  try {
    const existing = await client.collections(config.collection).retrieve();
    const have = new Set(existing.fields?.map((f) => f.name));
    const missing = schoolCollectionFields.filter((f) => !have.has(f.name));
    if (missing.length === 0) return "unchanged";
    await client.collections(config.collection).update({ fields: missing } as never);
    return "updated";
  } catch (err) {
    if (!(err instanceof Errors.ObjectNotFound)) throw err;
  }
  try {
    await client.collections().create({ name: config.collection, fields: schoolCollectionFields });
    logger.info({ collection: config.collection }, "created Typesense collection");
    return "created";
  } catch (err) {
    if (err instanceof Errors.ObjectAlreadyExists) return "unchanged";
    throw err;
  }
}

export async function upsertSchoolDocuments(config: TypesenseConfig, docs: SchoolDocument[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await typesenseClient(config).collections<SchoolDocument>(config.collection).documents().import(docs, { action: "upsert" });
  } catch (err) {
    if (err instanceof Errors.ImportError) {
      const failed = (err.importResults as { success: boolean; error?: string }[]).filter((r) => !r.success);
      throw new Error(`Typesense rejected ${failed.length} of ${docs.length} school documents: ${failed[0]?.error ?? "unknown error"}`, { cause: err });
    }
    throw err;
  }
}

export async function deleteSchoolDocument(config: TypesenseConfig, id: string): Promise<boolean> {
  try {
    await typesenseClient(config).collections(config.collection).documents(id).delete();
    return true;
  } catch (err) {
    if (err instanceof Errors.ObjectNotFound) return false;
    throw err;
  }
}

/** Removes a tenant's documents not refreshed since `syncedBefore` (the leftovers of a reindex). */
export async function deleteStaleSchoolDocuments(config: TypesenseConfig, tenantId: string, syncedBefore: number): Promise<number> {
  const res = await typesenseClient(config)
    .collections(config.collection)
    .documents()
    .delete({ filter_by: `tenant_id:=${filterValue(tenantId)} && synced_at:<${syncedBefore}` });
  return res.num_deleted;
}

/** A filter_by string literal; backticks cannot be escaped in Typesense, so they are dropped. */
export function filterValue(value: string): string {
  return "`" + value.replace(/`/g, "") + "`";
}
