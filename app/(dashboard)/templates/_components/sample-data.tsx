"use client";

import { useState } from "react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { useContactOptions } from "@/lib/hooks/use-templates";

export interface Sample {
  data: Record<string, unknown>;
  contactId: string | null;
}

/** The variables a preview renders with: a real contact (contact.*) and the send's data.* as JSON. */
export function SampleData({ value, onChange }: { value: Sample; onChange: (s: Sample) => void }) {
  const [text, setText] = useState(() => JSON.stringify(value.data, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const contacts = useContactOptions(q);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Sample data</CardTitle>
        <CardDescription>
          Preview with a real contact and the data a send would carry.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="grid gap-1.5">
          <Label htmlFor="tpl-contact-search">Contact</Label>
          <Input
            id="tpl-contact-search"
            placeholder="e.g. ada@example.com"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          {contacts.isError ? (
            <p className="text-xs text-muted-foreground">
              Contacts are not available to you; preview with data only.
            </p>
          ) : (
            <select
              aria-label="Contact for the preview"
              className="h-9 rounded-md border bg-transparent px-2 text-sm"
              value={value.contactId ?? ""}
              onChange={(e) => onChange({ ...value, contactId: e.target.value || null })}
            >
              <option value="">No contact (contact.* missing)</option>
              {(contacts.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {[c.name, c.email ?? c.phone, c.locale].filter(Boolean).join(" · ")}
                </option>
              ))}
            </select>
          )}
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="tpl-data">data (JSON)</Label>
          <Textarea
            id="tpl-data"
            rows={5}
            className="font-mono text-sm"
            placeholder='e.g. { "order_id": "A-1001" }'
            value={text}
            aria-invalid={jsonError !== null}
            aria-describedby="tpl-data-error"
            onChange={(e) => {
              setText(e.target.value);
              try {
                const parsed = e.target.value.trim() ? JSON.parse(e.target.value) : {};
                if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
                  throw new Error("not an object");
                setJsonError(null);
                onChange({ ...value, data: parsed as Record<string, unknown> });
              } catch {
                setJsonError('Write a JSON object, e.g. { "order_id": "A-1001" }');
              }
            }}
          />
          {jsonError ? (
            <p id="tpl-data-error" className="text-xs text-destructive">
              {jsonError}
            </p>
          ) : null}
        </div>
      </CardContent>
    </Card>
  );
}
