"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import {
  useTestSendTemplate,
  type TemplateChannel,
  type TemplateContent,
} from "@/lib/hooks/use-templates";
import type { Sample } from "./sample-data";

type Props = {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  templateKey: string;
  channel: TemplateChannel;
  locale: string;
  content: TemplateContent;
  sample: Sample;
  defaultTo: string;
};

/** Sends the editor's content to the author through the tenant's routing: a real message, visible on the Messages page. */
export function TestSendDialog(props: Props) {
  return (
    <Dialog open={props.open} onOpenChange={props.onOpenChange}>
      {/* The content unmounts when closed, so each opening starts from the author's address. */}
      <DialogContent>
        <TestSendForm {...props} />
      </DialogContent>
    </Dialog>
  );
}

function TestSendForm({
  onOpenChange,
  templateKey,
  channel,
  locale,
  content,
  sample,
  defaultTo,
}: Props) {
  const send = useTestSendTemplate(templateKey);
  const [to, setTo] = useState(defaultTo);
  const [sentId, setSentId] = useState<string | null>(null);
  return (
    <form
      className="grid gap-4"
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate(
          {
            channel,
            locale,
            content,
            data: sample.data,
            ...(sample.contactId ? { contact_id: sample.contactId } : {}),
            to,
          },
          {
            onSuccess: (r) => {
              setSentId(r.id);
              toast.success("Test message accepted");
            },
            onError: (err) => toast.error(errorMessage(err)),
          },
        );
      }}
    >
      <DialogHeader>
        <DialogTitle>Send a test</DialogTitle>
        <DialogDescription>
          The editor&apos;s {channel} content, rendered with the sample data, goes out through this
          tenant&apos;s routing.
        </DialogDescription>
      </DialogHeader>
      <div className="grid gap-1.5">
        <Label htmlFor="tpl-test-to">
          {channel === "email" ? "Email address" : "Phone number"}
        </Label>
        <Input
          id="tpl-test-to"
          placeholder={channel === "email" ? "e.g. you@example.com" : "e.g. +46701234567"}
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
      </div>
      {sentId ? (
        <p className="text-sm" role="status">
          Accepted. Follow it on the{" "}
          <Link className="underline underline-offset-4" href={`/messages?message=${sentId}`}>
            Messages page
          </Link>
          .
        </p>
      ) : null}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
          Close
        </Button>
        <Button type="submit" disabled={send.isPending || !to.trim()}>
          {send.isPending ? "Sending…" : "Send test"}
        </Button>
      </DialogFooter>
    </form>
  );
}
