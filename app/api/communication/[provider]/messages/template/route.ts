import { providerSendRoute } from "@/lib/api/send-route";

/** WhatsApp only: /api/communication/whatsapp/messages/template */
export const POST = providerSendRoute("messages/template");
