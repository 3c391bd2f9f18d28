import { providerSendRoute } from "@/lib/api/send-route";

/** WhatsApp only: /api/communication/whatsapp/messages/text */
export const POST = providerSendRoute("messages/text");
