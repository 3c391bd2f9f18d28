"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { toast } from "@/components/ui/toaster";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { useCreateContact } from "@/lib/hooks/use-contacts";

const fields = [
  { name: "name", label: "Name", placeholder: "e.g. Anna Lind", type: "text" },
  { name: "email", label: "Email", placeholder: "e.g. anna@example.com", type: "email" },
  { name: "phone", label: "Phone", placeholder: "e.g. +46 70 123 45 67 or 070-123 45 67", type: "tel" },
  { name: "external_id", label: "External id", placeholder: "e.g. the id in your system", type: "text" },
  { name: "locale", label: "Locale", placeholder: "e.g. sv-SE", type: "text" },
  { name: "timezone", label: "Time zone", placeholder: "e.g. Europe/Stockholm", type: "text" },
] as const;
type FieldName = (typeof fields)[number]["name"];

export function ContactFormDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange: (o: boolean) => void; onCreated: (id: string) => void }) {
  const create = useCreateContact();
  const [values, setValues] = useState<Record<FieldName, string>>({ name: "", email: "", phone: "", external_id: "", locale: "", timezone: "" });
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setErrors({});
    const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ""));
    create.mutate(body, {
      onSuccess: (c) => {
        toast.success("Contact added");
        setValues({ name: "", email: "", phone: "", external_id: "", locale: "", timezone: "" });
        onCreated(c.id);
      },
      onError: (err) => {
        if (err instanceof ApiClientError && Array.isArray(err.details)) {
          setErrors(Object.fromEntries((err.details as { path?: string; message: string }[]).map((d) => [d.path ?? "", d.message])));
        }
        toast.error(errorMessage(err));
      },
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Add a contact</DialogTitle>
          <DialogDescription>National phone numbers are read in your tenant&apos;s default country and stored as E.164; the number as typed is kept.</DialogDescription>
        </DialogHeader>
        <form id="contact-form" onSubmit={submit} className="grid gap-3" noValidate>
          {fields.map((f) => (
            <div key={f.name} className="grid gap-1.5">
              <Label htmlFor={`contact-${f.name}`}>{f.label}</Label>
              <Input
                id={`contact-${f.name}`}
                type={f.type}
                value={values[f.name]}
                placeholder={f.placeholder}
                aria-invalid={errors[f.name] ? true : undefined}
                aria-describedby={errors[f.name] ? `contact-${f.name}-error` : undefined}
                onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
              />
              {errors[f.name] ? (
                <p id={`contact-${f.name}-error`} className="text-xs text-destructive">
                  {errors[f.name]}
                </p>
              ) : null}
            </div>
          ))}
        </form>
        <DialogFooter>
          <Button type="submit" form="contact-form" disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add contact"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
