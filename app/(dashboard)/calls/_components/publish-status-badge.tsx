import { Badge } from "@/components/ui/badge";

const labels = {
  queued: { text: "Queued", variant: "warning" },
  published: { text: "Published", variant: "success" },
  dead_lettered: { text: "Dead-lettered", variant: "destructive" },
} as const;

/** Where a call's (or event's) RabbitMQ publication stands. */
export function PublishStatusBadge({ status }: { status: keyof typeof labels }) {
  const l = labels[status];
  return <Badge variant={l.variant}>{l.text}</Badge>;
}
