"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { SecretReveal } from "@/components/ui/secret-reveal";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toaster";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { useCreateWebhookEndpoint, type WebhookEndpointWithSecret } from "@/lib/hooks/use-outbound-webhooks";
import { createWebhookEndpointBody, outboundEventCatalog, outboundEventTypes } from "@/lib/validations/outbound-webhooks";

type FormIn = z.input<typeof createWebhookEndpointBody>;
type FormOut = z.output<typeof createWebhookEndpointBody>;

export const SIGNING_SECRET_WARNING = (
  <>
    <p className="font-medium">This is the only time the signing secret is shown.</p>
    <p className="opacity-90">
      Store it where your receiver reads its configuration. Verify each delivery with a Standard Webhooks library (the{" "}
      <code className="font-mono text-xs">webhook-id</code>, <code className="font-mono text-xs">webhook-timestamp</code> and{" "}
      <code className="font-mono text-xs">webhook-signature</code> headers). If it is lost, rotate it.
    </p>
  </>
);

export function EndpointFormDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const create = useCreateWebhookEndpoint();
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);
  const form = useForm<FormIn, unknown, FormOut>({
    resolver: zodResolver(createWebhookEndpointBody),
    defaultValues: { url: "", description: "", event_types: ["communication.sent.v1", "communication.failed.v1"] },
  });

  function close(next: boolean) {
    if (!next) {
      setCreated(null);
      form.reset();
    }
    onOpenChange(next);
  }

  const onSubmit = form.handleSubmit((values) =>
    create.mutate(values, {
      onSuccess: (ep) => {
        setCreated(ep);
        toast.success("Endpoint registered");
      },
      onError: (e) => {
        // The server's SSRF check names the field: show it under the URL input.
        const detail = e instanceof ApiClientError && Array.isArray(e.details) ? (e.details as { path?: string; message: string }[]).find((d) => d.path === "url") : undefined;
        if (detail) form.setError("url", { message: detail.message });
        toast.error(errorMessage(e));
      },
    }),
  );

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>{created ? "Endpoint registered" : "Add endpoint"}</DialogTitle>
          <DialogDescription>
            {created
              ? `Herald will POST the selected events to ${created.url}, signed with this secret.`
              : "Herald POSTs each selected event as JSON, signed per Standard Webhooks, and retries failures for about a day."}
          </DialogDescription>
        </DialogHeader>
        {created ? (
          <>
            <SecretReveal value={created.secret} label="Signing secret" warning={SIGNING_SECRET_WARNING} />
            <DialogFooter>
              <Button onClick={() => close(false)}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <Form {...form}>
            <form onSubmit={onSubmit} className="grid gap-4" noValidate>
              <FormField
                control={form.control}
                name="url"
                render={({ field }) => (
                  <FormItem controlId="webhook-endpoint-url">
                    <FormLabel>URL</FormLabel>
                    <FormControl>
                      <Input placeholder="e.g. https://example.com/webhooks/herald" autoComplete="off" inputMode="url" {...field} />
                    </FormControl>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <FormField
                control={form.control}
                name="description"
                render={({ field }) => (
                  <FormItem controlId="webhook-endpoint-description">
                    <FormLabel>Description</FormLabel>
                    <FormControl>
                      <Textarea rows={2} placeholder="e.g. CRM sync of delivery states" {...field} />
                    </FormControl>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <FormField
                control={form.control}
                name="event_types"
                render={({ field }) => (
                  <FormItem>
                    <FormLabel>Event types</FormLabel>
                    <div className="grid max-h-64 gap-2 overflow-y-auto rounded-md border p-3">
                      {outboundEventTypes.map((type) => (
                        <label key={type} className="flex items-start gap-2 text-sm">
                          <Checkbox
                            checked={field.value.includes(type)}
                            onCheckedChange={(checked) => field.onChange(checked ? [...field.value, type] : field.value.filter((t) => t !== type))}
                            aria-label={type}
                          />
                          <span>
                            <span className="font-mono">{type}</span>
                            <span className="block text-muted-foreground">{outboundEventCatalog[type]}</span>
                          </span>
                        </label>
                      ))}
                    </div>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <DialogFooter>
                <Button type="button" variant="outline" onClick={() => close(false)}>
                  Cancel
                </Button>
                <Button type="submit" disabled={create.isPending}>
                  Add endpoint
                </Button>
              </DialogFooter>
            </form>
          </Form>
        )}
      </DialogContent>
    </Dialog>
  );
}
