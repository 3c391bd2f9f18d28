import { withApiAuth } from "@/lib/api/with-api-auth";
import { readJson, readQuery } from "@/lib/api/read-json";
import { addNumber, listNumbers } from "@/lib/telephony/numbers";
import { createNumberBody, listNumbersQuery } from "@/lib/validations/telephony";

export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listNumbers(ctx, readQuery(req, listNumbersQuery)));
}, { scope: "calls:read" });

export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, createNumberBody);
  return Response.json(await addNumber(ctx, body), { status: 201 });
}, { scope: "calls:write" });
