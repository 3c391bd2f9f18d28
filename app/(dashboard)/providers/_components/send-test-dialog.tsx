"use client";
import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { toast } from "@/components/ui/toaster";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { useSendTestMessage } from "@/lib/hooks/use-send-test";
import { providerChannels, pushAddressOf } from "@/lib/providers/definitions";
import type { ProviderConfigOut } from "@/lib/validations/provider-configs";

const recipientLabel = { email: "Email address", sms: "Phone number (E.164)", push: "Device token", whatsapp: "WhatsApp number (E.164)" } as const;
const placeholder = { email: "e.g. you@example.com", sms: "e.g. +46700000000", push: "a device registration token", whatsapp: "e.g. +46700000000" } as const;

/** "Send test": a real message through this config, delivered by the normal workflow. */
export function SendTestDialog({ config, disabled }: { config: ProviderConfigOut; disabled?: boolean }) {
  const channel = providerChannels[config.provider];
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState("");
  const [platform, setPlatform] = useState<"android" | "ios" | "web">("android");
  const [templateName, setTemplateName] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const send = useSendTestMessage();
  const byPlayerId = pushAddressOf(config.provider) === "player_id";
  const label = byPlayerId ? "Subscription (player) id" : recipientLabel[channel];

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setFieldError(null);
    send.mutate(
      {
        provider: config.provider,
        id: config.id,
        body: {
          to: to.trim(),
          ...(channel === "push" ? { platform } : {}),
          ...(channel === "whatsapp" && templateName.trim() ? { template_name: templateName.trim() } : {}),
        },
      },
      {
        onSuccess: (r) => {
          toast.success(`Test message queued (${r.id.slice(0, 8)}…)`, {
            description: "Follow its delivery on the Messages page.",
          });
          setOpen(false);
        },
        onError: (err) => {
          const details = err instanceof ApiClientError && Array.isArray(err.details) ? (err.details as { path?: string; message?: string }[]) : [];
          const onTo = details.find((d) => d.path === "to");
          if (onTo?.message) setFieldError(onTo.message);
          else toast.error(errorMessage(err));
        },
      },
    );
  };

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline" disabled={disabled || config.status !== "active"} title={config.status !== "active" ? "Activate the config to send a test" : undefined}>
          Send test
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Send a test through {config.display_name}</DialogTitle>
            <DialogDescription>
              A real message goes out through this config only (no fallback). It appears on the{" "}
              <Link href="/messages" className="underline">
                Messages
              </Link>{" "}
              page with its attempts and events.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor={`send-test-to-${config.id}`}>{label}</Label>
            <Input
              id={`send-test-to-${config.id}`}
              value={to}
              onChange={(e) => setTo(e.target.value)}
              placeholder={byPlayerId ? "subscription id" : placeholder[channel]}
              aria-invalid={fieldError ? true : undefined}
              aria-describedby={fieldError ? `send-test-error-${config.id}` : undefined}
              autoFocus
              required
            />
            {fieldError ? (
              <p id={`send-test-error-${config.id}`} role="alert" className="text-sm text-destructive">
                {fieldError}
              </p>
            ) : null}
          </div>
          {channel === "push" ? (
            <div className="grid gap-2">
              <Label htmlFor={`send-test-platform-${config.id}`}>Platform</Label>
              <Select value={platform} onValueChange={(v) => setPlatform(v as typeof platform)}>
                <SelectTrigger id={`send-test-platform-${config.id}`} aria-label="Platform" className="w-full">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="android">Android</SelectItem>
                  <SelectItem value="ios">iOS</SelectItem>
                  <SelectItem value="web">Web</SelectItem>
                </SelectContent>
              </Select>
            </div>
          ) : null}
          {channel === "whatsapp" ? (
            <div className="grid gap-2">
              <Label htmlFor={`send-test-template-${config.id}`}>Template name (optional)</Label>
              <Input
                id={`send-test-template-${config.id}`}
                value={templateName}
                onChange={(e) => setTemplateName(e.target.value)}
                placeholder="e.g. hello_world"
              />
              <p className="text-xs text-muted-foreground">Outside a 24-hour customer window WhatsApp only delivers approved templates.</p>
            </div>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={send.isPending || !to.trim()}>
              {send.isPending ? "Sending…" : "Send test"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
