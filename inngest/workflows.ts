import type { AnyWorkflow } from "@/lib/jobs/workflow";
import { deliverMessage } from "./functions/deliver-message";
import { deliverPriorityMessage } from "./functions/deliver-priority-message";
import { deliverWebhook } from "./functions/deliver-webhook";
import { fireReminderRun } from "./functions/fire-reminder-run";
import { processWebhookEventsWorkflow } from "./functions/process-webhook-events";
import { purgeExpiredData } from "./functions/purge-expired-data";
import { recordApiKeyUsage } from "./functions/record-api-key-usage";
import { storeInboundMediaWorkflow } from "./functions/store-inbound-media";
import { reminderTickWorkflow } from "./functions/reminder-tick";
import { sendReminderChunk } from "./functions/send-reminder-chunk";
import { sweepStuckWorkWorkflow } from "./functions/sweep-stuck-work";
import { checkQuotaAlertsWorkflow } from "./functions/check-quota-alerts";
import { syncSchoolToSearch } from "./functions/sync-school-to-search";
import { sweepCustomerioWorkflow } from "./functions/sweep-customerio";
import { syncCustomerio } from "./functions/sync-customerio";
import { resyncCustomerio } from "./functions/resync-customerio";
import { applyKommoWebhooks } from "./functions/apply-kommo-webhooks";
import { refreshKommoTokensWorkflow } from "./functions/refresh-kommo-tokens";
import { syncKommoContacts } from "./functions/sync-kommo-contacts";
import { pollDeliveryReports } from "./functions/poll-delivery-reports";

/**
 * Every workflow, engine-neutral. Both engines are built from this list. Publishing to RabbitMQ
 * is not a workflow: the broker outbox (lib/broker/outbox-publisher.ts) does it beside the relay.
 */
export const workflows: AnyWorkflow[] = [recordApiKeyUsage, syncSchoolToSearch, deliverMessage, deliverPriorityMessage, processWebhookEventsWorkflow, deliverWebhook, sweepStuckWorkWorkflow, purgeExpiredData, checkQuotaAlertsWorkflow, storeInboundMediaWorkflow, reminderTickWorkflow, fireReminderRun, sendReminderChunk, syncCustomerio, sweepCustomerioWorkflow, resyncCustomerio, syncKommoContacts, applyKommoWebhooks, refreshKommoTokensWorkflow, pollDeliveryReports];
