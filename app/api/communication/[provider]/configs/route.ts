import { z } from "zod";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { ApiError, validationError } from "@/lib/api/errors";
import { readJson, readQuery } from "@/lib/api/read-json";
import { createConfig, listConfigs } from "@/lib/providers/configs";
import { createConfigBodies, isProviderKind, listConfigsQuery, type CreateConfigInput } from "@/lib/validations/provider-configs";

export const GET = withApiAuth<{ provider: string }>(async ({ req, params, ctx }) => {
  if (!isProviderKind(params.provider)) throw ApiError.notFound("Provider");
  const q = readQuery(req, listConfigsQuery);
  return Response.json(await listConfigs(ctx, { ...q, provider: params.provider }));
}, { scope: "configs:read" });

export const POST = withApiAuth<{ provider: string }>(async ({ req, params, ctx }) => {
  if (!isProviderKind(params.provider)) throw ApiError.notFound("Provider");
  const raw = await readJson(req, z.record(z.string(), z.unknown()));
  // The path names the provider; a body may repeat it but not contradict it (422 on `provider`).
  const parsed = createConfigBodies[params.provider].safeParse({ provider: params.provider, ...raw });
  if (!parsed.success) throw validationError(parsed.error);
  const config = await createConfig(ctx, parsed.data as CreateConfigInput);
  return Response.json(config, { status: 201, headers: { Location: `/api/communication/${params.provider}/configs/${config.id}` } });
}, { scope: "configs:write" });
