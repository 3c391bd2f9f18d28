import { providerSendRoute } from "@/lib/api/send-route";

export const POST = providerSendRoute("messages/media");
