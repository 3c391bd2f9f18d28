import { z } from "zod";
import { schoolTypes as schoolTypeValues } from "@/db/schema/enum-values";
import { safeText } from "./common";

export const schoolTypes = schoolTypeValues;
export type SchoolType = (typeof schoolTypes)[number];
export const schoolTypeSchema = z.enum(schoolTypes);

export const schoolTypeLabels: Record<SchoolType, string> = {
  kindergarten: "Kindergarten",
  primary: "Primary school",
  secondary: "Secondary school",
  high_school: "High school",
  university: "University",
  course: "Course",
};

/** Empty strings from forms and CSV cells mean "no value". */
const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);

const optionalText = (max: number) =>
  z.preprocess(blankToNull, safeText().trim().max(max, `At most ${max} characters`).nullable().optional());

const coordinate = (min: number, max: number) =>
  z.preprocess(
    (v) => {
      const b = blankToNull(v);
      return typeof b === "string" ? Number(b.trim().replace(",", ".")) : b;
    },
    z.number({ error: "Must be a number" }).min(min, `Must be between ${min} and ${max}`).max(max, `Must be between ${min} and ${max}`).nullable().optional(),
  );

export const schoolSlugSchema = z
  .string()
  .trim()
  .min(2, "At least 2 characters")
  .max(80, "At most 80 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lower-case letters, digits and single dashes");

const tagsSchema = z.preprocess(
  (v) => (typeof v === "string" ? v.split(/[,;|]/) : v),
  z
    .array(safeText().trim().max(40, "A tag has at most 40 characters"))
    .transform((tags) => [...new Set(tags.filter((t) => t.length > 0))])
    .pipe(z.array(z.string()).max(20, "At most 20 tags")),
);

const schoolFields = {
  name: safeText({ error: "Name is required" }).trim().min(1, "Name is required").max(200, "At most 200 characters"),
  slug: z.preprocess(blankToNull, schoolSlugSchema.nullable().optional()),
  type: schoolTypeSchema,
  city: safeText({ error: "City is required" }).trim().min(1, "City is required").max(100, "At most 100 characters"),
  district: optionalText(100),
  address: optionalText(300),
  latitude: coordinate(-90, 90),
  longitude: coordinate(-180, 180),
  phone: z.preprocess(
    blankToNull,
    z.string().trim().regex(/^\+?[0-9 ()./-]{3,40}$/, "Use digits, spaces and + ( ) - . /").nullable().optional(),
  ),
  email: z.preprocess(blankToNull, z.string().trim().toLowerCase().email("Not a valid email address").max(320).nullable().optional()),
  website: z.preprocess(
    blankToNull,
    z
      .string()
      .trim()
      .max(500)
      .url("Not a valid URL")
      .refine((u) => /^https?:\/\//i.test(u), "Use an http(s) URL")
      .nullable()
      .optional(),
  ),
  tags: tagsSchema.optional(),
  is_public: z.preprocess((v) => {
    if (typeof v !== "string") return v;
    const s = v.trim().toLowerCase();
    if (s === "") return undefined;
    if (["true", "yes", "1", "evet", "ja", "public"].includes(s)) return true;
    if (["false", "no", "0", "hayır", "hayir", "nej", "private"].includes(s)) return false;
    return v;
  }, z.boolean({ error: "Must be true or false" }).optional()),
};

function coordinatesTogether(value: { latitude?: number | null; longitude?: number | null }, ctx: z.RefinementCtx) {
  const hasLat = value.latitude !== null && value.latitude !== undefined;
  const hasLng = value.longitude !== null && value.longitude !== undefined;
  if (hasLat !== hasLng) {
    ctx.addIssue({ code: "custom", path: [hasLat ? "longitude" : "latitude"], message: "Give both latitude and longitude, or neither" });
  }
}

/** POST /api/v1/schools, the create/edit form, and each CSV row. Omitted slug → made from the name. */
export const createSchoolBody = z.object(schoolFields).superRefine(coordinatesTogether);
export type CreateSchoolBody = z.output<typeof createSchoolBody>;
export type SchoolFormInput = z.input<typeof createSchoolBody>;

/** PATCH /api/v1/schools/{id}: any subset; the merged school is validated again as a whole. */
export const updateSchoolBody = z.object(schoolFields).partial();
export type UpdateSchoolBody = z.output<typeof updateSchoolBody>;

const pageFields = {
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
};

export const listSchoolsQuery = z.object({
  q: z.string().trim().max(200).optional(),
  city: z.string().trim().max(100).optional(),
  type: schoolTypeSchema.optional(),
  is_public: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  ...pageFields,
});
export type ListSchoolsQuery = z.output<typeof listSchoolsQuery>;

const nearSchema = z
  .string()
  .trim()
  .regex(/^-?\d{1,3}(\.\d+)?,\s*-?\d{1,3}(\.\d+)?$/, "Use near=lat,lng, e.g. near=41.01,28.97")
  .transform((v) => {
    const [lat, lng] = v.split(",").map((s) => Number(s.trim())) as [number, number];
    return { lat, lng };
  })
  .refine((p) => Math.abs(p.lat) <= 90 && Math.abs(p.lng) <= 180, "Latitude must be within ±90 and longitude within ±180");

/** A facet filter's values: comma-separated in one parameter; blank means none. */
const splitFacet = (v: unknown) =>
  typeof v === "string" ? [...new Set(v.split(",").map((x) => x.trim()).filter(Boolean))] : v === null || v === undefined ? [] : v;

export const searchSchoolsQuery = z
  .object({
    tenant: z.string({ error: "tenant is required" }).trim().min(1, "tenant is required").max(64),
    q: z.string().trim().max(200, "At most 200 characters").default(""),
    /** One city or several, comma-separated (`city=İstanbul,Ankara`): schools in any of them. */
    city: z.preprocess(splitFacet, z.array(z.string().trim().min(1).max(100)).max(20, "At most 20 cities at once").default([])),
    /** One type or several, comma-separated (`type=primary,secondary`). */
    type: z.preprocess(splitFacet, z.array(schoolTypeSchema).max(20).default([])),
    near: z.preprocess(blankToNull, nearSchema.nullable().optional()),
    radius_km: z.preprocess(blankToNull, z.coerce.number().positive("Must be positive").max(20_000).nullable().optional()),
    ...pageFields,
  })
  .superRefine((v, ctx) => {
    if (v.radius_km && !v.near) ctx.addIssue({ code: "custom", path: ["radius_km"], message: "radius_km needs near=lat,lng" });
    if (v.page * v.per_page > 10_000) ctx.addIssue({ code: "custom", path: ["page"], message: "Only the first 10,000 results can be paged through; narrow the search" });
  });
export type SearchSchoolsQuery = z.output<typeof searchSchoolsQuery>;

// ---- Output schemas: every response passes through one of these, so unlisted columns never leak.

const inboundNumberOut = z.object({ id: z.string(), number: z.string() });

/** Fields anyone may see for a public school. Contact fields (phone, email, inbound number) are not among them. */
const publicSchoolShape = {
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  type: schoolTypeSchema,
  city: z.string(),
  district: z.string().nullable(),
  address: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  website: z.string().nullable(),
  tags: z.array(z.string()),
};
const contactShape = {
  is_public: z.boolean(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  inbound_number: inboundNumberOut.nullable(),
};

export const schoolOut = z.object({
  ...publicSchoolShape,
  ...contactShape,
  created_at: z.string(),
  updated_at: z.string(),
});
export type SchoolOut = z.output<typeof schoolOut>;

export const schoolListOut = z.object({
  data: z.array(schoolOut),
  page: z.number(),
  per_page: z.number(),
  total: z.number(),
});

export const highlightSegmentOut = z.object({ text: z.string(), match: z.boolean() });
export const highlightFields = ["name", "city", "district", "address", "tags"] as const;
export type HighlightField = (typeof highlightFields)[number];
const highlightsOut = z.object(
  Object.fromEntries(highlightFields.map((f) => [f, z.array(highlightSegmentOut).optional()])) as Record<
    HighlightField,
    z.ZodOptional<z.ZodArray<typeof highlightSegmentOut>>
  >,
);

const searchHitPublic = z.object({ ...publicSchoolShape, distance_km: z.number().nullable(), highlights: highlightsOut });
const searchHitMember = searchHitPublic.extend(contactShape);
const facetCountOut = z.object({ value: z.string(), count: z.number().int() });
const searchMeta = {
  facets: z.object({ city: z.array(facetCountOut), type: z.array(facetCountOut) }),
  page: z.number(),
  per_page: z.number(),
  total: z.number(),
};

/** GET /api/search/schools for anonymous callers and other tenants. */
export const publicSearchResponse = z.object({ visibility: z.literal("public"), data: z.array(searchHitPublic), ...searchMeta });
/** GET /api/search/schools for members and API keys (schools:read) of the tenant. */
export const memberSearchResponse = z.object({ visibility: z.literal("member"), data: z.array(searchHitMember), ...searchMeta });
export type SearchResponse = z.output<typeof publicSearchResponse> | z.output<typeof memberSearchResponse>;
export type MemberSearchHit = z.output<typeof searchHitMember>;

export const importErrorOut = z.object({ line: z.number().int(), field: z.string().optional(), message: z.string() });
export const importResultOut = z.object({
  total_rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  errors: z.array(importErrorOut),
  errors_truncated: z.boolean(),
});
export type ImportResult = z.output<typeof importResultOut>;
