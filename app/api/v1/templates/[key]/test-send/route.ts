import { readJson } from "@/lib/api/read-json";
import { sendResponse } from "@/lib/api/send-route";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { testSendTemplate } from "@/lib/templates/preview";
import { testSendTemplateBody } from "@/lib/validations/templates";

/** Sends the rendered draft to one address through the tenant's routing (a real message, marked as a test). */
export const POST = withApiAuth<{ key: string }>(async ({ req, params, ctx }) => {
  return sendResponse(await testSendTemplate(ctx, params.key, await readJson(req, testSendTemplateBody)));
}, { scope: "messages:send" });
