import { communicationEventSource } from "@/lib/messaging/communication-events";
import { callCommandSource, callEventSource } from "@/lib/telephony/publisher";
import type { OutboxSource } from "./outbox-publisher";

/** Every kind of row Herald publishes to RabbitMQ; the broker outbox runs one loop per entry. */
export const brokerOutboxSources = [callEventSource, callCommandSource, communicationEventSource] as unknown as OutboxSource<{ id: string }>[];
