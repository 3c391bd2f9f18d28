import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createApiKey, listApiKeys } from "@/lib/auth/api-keys";
import { apiKeyJson } from "@/lib/auth/api-key-json";
import { createApiKeyBody } from "@/lib/validations/api-keys";

// Key management is for signed-in admins only: a leaked key must not be able to mint more keys.
export const GET = withApiAuth(
  async ({ ctx }) => Response.json({ data: (await listApiKeys(ctx)).map(apiKeyJson) }),
  { sessionOnly: true, minRole: "admin" },
);

export const POST = withApiAuth(
  async ({ req, ctx }) => {
    const body = await readJson(req, createApiKeyBody);
    const created = await createApiKey(ctx, body);
    return Response.json(
      {
        id: created.id,
        name: created.name,
        prefix: created.prefix,
        scopes: created.scopes,
        created_at: created.createdAt.toISOString(),
        key: created.key,
      },
      { status: 201 },
    );
  },
  { sessionOnly: true, minRole: "admin" },
);
