import { Badge } from "@/components/ui/badge";
import type { MessageStatus } from "@/db/schema/messages";

const variants: Record<MessageStatus, "secondary" | "info" | "success" | "warning" | "destructive" | "outline"> = {
  scheduled: "outline",
  queued: "secondary",
  sending: "info",
  sent: "info",
  delivered: "success",
  opened: "success",
  clicked: "success",
  read: "success",
  failed: "destructive",
  bounced: "destructive",
  undelivered: "warning",
  received: "outline",
  cancelled: "outline",
};

export function MessageStatusBadge({ status }: { status: MessageStatus }) {
  return <Badge variant={variants[status]}>{status}</Badge>;
}
