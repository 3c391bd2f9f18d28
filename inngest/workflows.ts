import type { AnyWorkflow } from "@/lib/jobs/workflow";
import { deliverMessage } from "./functions/deliver-message";
import { deliverWebhook } from "./functions/deliver-webhook";
import { processWebhookEventsWorkflow } from "./functions/process-webhook-events";
import { publishCommunicationEventWorkflow } from "./functions/publish-communication-event";
import { recordApiKeyUsage } from "./functions/record-api-key-usage";
import { sendCallCommandToRabbit } from "./functions/send-call-command-to-rabbit";
import { sendCallEventToRabbit } from "./functions/send-call-event-to-rabbit";
import { syncSchoolToSearch } from "./functions/sync-school-to-search";

/** Every workflow, engine-neutral. Both engines are built from this list. */
export const workflows: AnyWorkflow[] = [recordApiKeyUsage, sendCallEventToRabbit, sendCallCommandToRabbit, syncSchoolToSearch, deliverMessage, publishCommunicationEventWorkflow, processWebhookEventsWorkflow, deliverWebhook];
