"use client";

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
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@/components/ui/select";
import { toast } from "@/components/ui/toaster";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { useCreateTemplate } from "@/lib/hooks/use-templates";

/** A starting point the author edits: an email with a greeting that shows how variables look. */
function starterContent(locale: string) {
  return {
    default_locale: locale,
    locales: {
      [locale]: {
        email: {
          subject: "Hello {{ contact.first_name | default: 'there' }}",
          html: "<p>Hi {{ contact.first_name | default: 'there' }},</p>\n<p>…</p>\n<p>— {{ tenant.name }}</p>",
        },
      },
    },
  };
}

const slugify = (name: string) =>
  name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);

export function NewTemplateDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  onCreated: (key: string) => void;
}) {
  const create = useCreateTemplate();
  const [name, setName] = useState("");
  const [key, setKey] = useState("");
  const [keyTouched, setKeyTouched] = useState(false);
  const [category, setCategory] = useState("transactional");
  const [locale, setLocale] = useState("en");
  const [errors, setErrors] = useState<Record<string, string>>({});

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = "Give the template a name";
    if (!key.trim()) local.key = "Give the template a key";
    setErrors(local);
    if (Object.keys(local).length) return;
    create.mutate(
      { key, name, category, content: starterContent(locale || "en") },
      {
        onSuccess: (t) => {
          toast.success("Template created");
          onOpenChange(false);
          setName("");
          setKey("");
          setKeyTouched(false);
          onCreated(t.key);
        },
        onError: (err) => {
          if (err instanceof ApiClientError && Array.isArray(err.details)) {
            const byPath: Record<string, string> = {};
            for (const d of err.details as { path?: string; message: string }[]) {
              const field = (d.path ?? "").startsWith("content.default_locale")
                ? "locale"
                : (d.path ?? "").split(".")[0]!;
              byPath[field] = d.message;
            }
            setErrors(byPath);
          }
          toast.error(errorMessage(err));
        },
      },
    );
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>New template</DialogTitle>
            <DialogDescription>
              Start with an email; add SMS, push, WhatsApp and more locales in the editor.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="tpl-name">Name</Label>
            <Input
              id="tpl-name"
              placeholder="e.g. Welcome email"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                if (!keyTouched) setKey(slugify(e.target.value));
              }}
              aria-invalid={Boolean(errors.name)}
            />
            {errors.name ? <p className="text-sm text-destructive">{errors.name}</p> : null}
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="tpl-key">Key</Label>
            <Input
              id="tpl-key"
              className="font-mono"
              placeholder="e.g. welcome-email"
              value={key}
              onChange={(e) => {
                setKey(e.target.value);
                setKeyTouched(true);
              }}
              aria-invalid={Boolean(errors.key)}
              aria-describedby="tpl-key-help"
            />
            <p id="tpl-key-help" className="text-xs text-muted-foreground">
              Sends name the template by this key. It cannot change later.
            </p>
            {errors.key ? <p className="text-sm text-destructive">{errors.key}</p> : null}
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <div className="grid gap-1.5">
              <Label htmlFor="tpl-category">Category</Label>
              <Select value={category} onValueChange={setCategory}>
                <SelectTrigger id="tpl-category">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="transactional">Transactional</SelectItem>
                  <SelectItem value="marketing">Marketing (one-click unsubscribe)</SelectItem>
                  <SelectItem value="reminders">Reminders (one-click unsubscribe)</SelectItem>
                </SelectContent>
              </Select>
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="tpl-locale">Default locale</Label>
              <Input
                id="tpl-locale"
                placeholder="e.g. en or sv-SE"
                value={locale}
                onChange={(e) => setLocale(e.target.value)}
                aria-invalid={Boolean(errors.locale)}
              />
              {errors.locale ? <p className="text-sm text-destructive">{errors.locale}</p> : null}
            </div>
          </div>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create template"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
