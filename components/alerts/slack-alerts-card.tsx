"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { BellRing, Send } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { useFormat } from "@/components/format-provider";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { useRemoveSlackWebhook, useSendSlackTestAlert, useSetSlackWebhook, useSlackAlertSettings } from "@/lib/hooks/use-alert-settings";
import { putSlackWebhookBody, type PutSlackWebhookBody } from "@/lib/validations/alerts";

/**
 * The tenant's own Slack channel for its operational alerts: a write-only webhook URL (only its
 * host is shown), the last delivery, and a test button. Admins change it; others see the status.
 */
export function SlackAlertsCard({ canManage }: { canManage: boolean }) {
  const fmt = useFormat();
  const settings = useSlackAlertSettings();
  const save = useSetSlackWebhook();
  const remove = useRemoveSlackWebhook();
  const test = useSendSlackTestAlert();
  const [editing, setEditing] = useState(false);
  const form = useForm<PutSlackWebhookBody>({ resolver: zodResolver(putSlackWebhookBody), defaultValues: { webhook_url: "" } });
  const s = settings.data;

  const onSubmit = form.handleSubmit((values) =>
    save.mutate(values, {
      onSuccess: () => {
        toast.success("Slack webhook saved");
        form.reset();
        setEditing(false);
      },
      onError: (e) => {
        const detail = e instanceof ApiClientError && Array.isArray(e.details) ? (e.details as { path?: string; message: string }[]).find((d) => d.path === "webhook_url") : undefined;
        if (detail) form.setError("webhook_url", { message: detail.message });
        toast.error(errorMessage(e));
      },
    }),
  );

  function onTest() {
    test.mutate(undefined, {
      onSuccess: (r) => (r.delivered ? toast.success("Test alert delivered to Slack") : toast.error(`Slack did not take the test alert: ${r.error ?? "unknown error"}`)),
      onError: (e) => toast.error(errorMessage(e)),
    });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Slack alerts</CardTitle>
        <CardDescription>
          Herald posts this tenant&apos;s operational alerts to a Slack incoming webhook: circuit breakers opening and closing, provider configs
          moving to error, dead letters piling up, monthly quotas at 80 % and 100 %, failing integrations and disabled webhook endpoints.
          Repeats within five minutes are counted into one message.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {settings.isPending ? (
          <Skeleton className="h-16 w-full" />
        ) : settings.isError ? (
          <p className="text-sm text-destructive">{errorMessage(settings.error)}</p>
        ) : (
          <>
            {s?.configured ? (
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="text-muted-foreground">Webhook</dt>
                <dd className="min-w-0 break-all">
                  <code className="font-mono">{s.webhook_host}</code> <Badge variant="success">Set</Badge>
                </dd>
                <dt className="text-muted-foreground">Last delivered</dt>
                <dd>{s.last_delivered_at ? fmt.dateTime(s.last_delivered_at) : "Never"}</dd>
                {s.last_error ? (
                  <>
                    <dt className="text-muted-foreground">Last error</dt>
                    <dd className="min-w-0 break-words text-destructive">
                      {s.last_error} {s.last_error_at ? `(${fmt.dateTime(s.last_error_at)})` : null}
                    </dd>
                  </>
                ) : null}
              </dl>
            ) : !editing ? (
              <EmptyState
                icon={BellRing}
                titleAs="h3"
                title="No Slack webhook"
                description={canManage ? "Add an incoming webhook from your Slack workspace to receive this tenant's alerts." : "An admin of this tenant can add one."}
              />
            ) : null}
            {canManage && (editing || !s?.configured) ? (
              editing ? (
                <Form {...form}>
                  <form onSubmit={onSubmit} className="grid gap-3" noValidate>
                    <FormField
                      control={form.control}
                      name="webhook_url"
                      render={({ field }) => (
                        <FormItem controlId="slack-webhook-url">
                          <FormLabel>Incoming webhook URL</FormLabel>
                          <FormControl>
                            <Input placeholder="e.g. https://hooks.slack.com/services/T000/B000/XXXX" autoComplete="off" inputMode="url" {...field} />
                          </FormControl>
                          <FormMessage />
                        </FormItem>
                      )}
                    />
                    <div className="flex flex-wrap gap-2">
                      <Button type="submit" disabled={save.isPending}>
                        Save webhook
                      </Button>
                      <Button
                        type="button"
                        variant="ghost"
                        onClick={() => {
                          form.reset();
                          setEditing(false);
                        }}
                      >
                        Cancel
                      </Button>
                    </div>
                  </form>
                </Form>
              ) : (
                <div>
                  <Button onClick={() => setEditing(true)}>Add Slack webhook</Button>
                </div>
              )
            ) : null}
            {canManage && s?.configured && !editing ? (
              <div className="flex flex-wrap gap-2">
                <Button variant="outline" onClick={onTest} disabled={test.isPending}>
                  <Send aria-hidden /> Send test alert
                </Button>
                <Button variant="outline" onClick={() => setEditing(true)}>
                  Replace URL
                </Button>
                <AlertDialog>
                  <AlertDialogTrigger asChild>
                    <Button variant="ghost" className="text-destructive" disabled={remove.isPending}>
                      Remove
                    </Button>
                  </AlertDialogTrigger>
                  <AlertDialogContent>
                    <AlertDialogHeader>
                      <AlertDialogTitle>Remove the Slack webhook?</AlertDialogTitle>
                      <AlertDialogDescription>
                        This tenant&apos;s alerts stop going to Slack at once; alerts still waiting to be sent are dropped.
                      </AlertDialogDescription>
                    </AlertDialogHeader>
                    <AlertDialogFooter>
                      <AlertDialogCancel>Cancel</AlertDialogCancel>
                      <AlertDialogAction
                        onClick={() =>
                          remove.mutate(undefined, {
                            onSuccess: () => toast.success("Slack webhook removed"),
                            onError: (e) => toast.error(errorMessage(e)),
                          })
                        }
                      >
                        Remove
                      </AlertDialogAction>
                    </AlertDialogFooter>
                  </AlertDialogContent>
                </AlertDialog>
              </div>
            ) : null}
          </>
        )}
      </CardContent>
    </Card>
  );
}
