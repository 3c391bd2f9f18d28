import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createBinding, listBindings } from "@/lib/bus/bindings";
import { createBusBindingBody } from "@/lib/validations/bus";

/** The tenant's bus bindings (where actions for it arrive) and this deployment's consumer status. */
export const GET = withApiAuth(async ({ ctx }) => Response.json(await listBindings(ctx)), { scope: "configs:read" });

export const POST = withApiAuth(async ({ req, ctx }) => {
  const created = await createBinding(ctx, await readJson(req, createBusBindingBody));
  return Response.json(created, { status: 201, headers: { Location: `/api/v1/bus-bindings/${created.id}` } });
}, { scope: "configs:write" });
