"use client";

import { useState } from "react";
import { useForm, type FieldErrors, type Resolver } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toaster";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { useCreateProviderConfig, useUpdateProviderConfig } from "@/lib/hooks/use-provider-configs";
import {
  createConfigBodies,
  patchConfigBodies,
  providerDefinitions,
  providerKinds,
  providerLabels,
  type CredentialMeta,
  type FieldMeta,
  type ProviderConfigOut,
  type ProviderKind,
} from "@/lib/validations/provider-configs";
import { useFormat } from "@/components/format-provider";
import { credentialSummary } from "./config-card";

type FormValues = Record<string, unknown> & { provider: ProviderKind; credentials: Record<string, string> };

const fieldsOf = (p: ProviderKind) => providerDefinitions[p].fields as Record<string, FieldMeta>;
const credentialsOf = (p: ProviderKind) => providerDefinitions[p].credentials as Record<string, CredentialMeta>;

function initialValues(provider: ProviderKind, config: ProviderConfigOut | null): FormValues {
  const defaults = providerDefinitions[provider].defaults as Record<string, unknown>;
  const values: FormValues = {
    provider,
    display_name: config?.display_name ?? "",
    api_base_url: config?.api_base_url ?? "",
    monthly_quota: config?.monthly_quota?.toString() ?? "",
    credentials: Object.fromEntries(Object.keys(credentialsOf(provider)).map((k) => [k, ""])),
  };
  for (const [key, meta] of Object.entries(fieldsOf(provider))) {
    const v = config ? config[key] : defaults[key];
    if (meta.kind === "boolean") values[key] = Boolean(v);
    else if (meta.kind === "list") values[key] = Array.isArray(v) ? v.join(", ") : "";
    else values[key] = v === null || v === undefined ? "" : String(v);
  }
  return values;
}

/** Form strings → the API body: the same shape the route validates. */
function toBody(values: FormValues, editing: boolean): Record<string, unknown> {
  const provider = values.provider;
  const body: Record<string, unknown> = {
    display_name: values.display_name,
    api_base_url: String(values.api_base_url ?? "").trim() || null,
    monthly_quota: String(values.monthly_quota ?? "").trim() === "" ? null : Number(values.monthly_quota),
  };
  for (const [key, meta] of Object.entries(fieldsOf(provider))) {
    const v = values[key];
    if (meta.kind === "boolean") body[key] = Boolean(v);
    else if (meta.kind === "list") body[key] = String(v ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    else if (meta.kind === "number") body[key] = String(v ?? "").trim() === "" ? undefined : Number(v);
    else body[key] = String(v ?? "").trim() === "" ? (meta.optional ? null : "") : v;
  }
  const credentials: Record<string, string> = {};
  for (const [k, v] of Object.entries(values.credentials ?? {})) if (v) credentials[k] = v;
  if (!editing || Object.keys(credentials).length > 0) body.credentials = credentials;
  return body;
}

function setError(errors: Record<string, unknown>, path: string, message: string) {
  const [head, ...rest] = path.replace(/\[\d+\].*$/, "").split(".");
  if (!head) return;
  if (rest.length === 0) {
    errors[head] ??= { type: "validation", message };
    return;
  }
  const inner = (errors[head] ??= {}) as Record<string, unknown>;
  setError(inner, rest.join("."), message);
}

/** Validates with the provider's own create/patch schema, so the form and the API agree. */
function providerResolver(editing: boolean): Resolver<FormValues> {
  return async (values) => {
    const schema = editing ? patchConfigBodies[values.provider] : createConfigBodies[values.provider];
    const body = toBody(values, editing);
    const parsed = schema.safeParse(editing ? body : { ...body, provider: values.provider });
    if (parsed.success) return { values: body as FormValues, errors: {} };
    const errors: Record<string, unknown> = {};
    for (const issue of parsed.error.issues) {
      // An error on a list item (supported_countries[1]) belongs to the list's single input.
      const cut = issue.path.findIndex((p) => typeof p === "number");
      const path = (cut === -1 ? issue.path : issue.path.slice(0, cut)).map(String).join(".");
      setError(errors, path || "display_name", issue.message);
    }
    return { values: {}, errors: errors as FieldErrors<FormValues> };
  };
}

export function ConfigFormDialog({
  open,
  config,
  onOpenChange,
}: {
  open: boolean;
  config: ProviderConfigOut | null;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-xl">
        {open ? <ConfigForm key={config?.id ?? "new"} config={config} onDone={() => onOpenChange(false)} /> : null}
      </DialogContent>
    </Dialog>
  );
}

function ConfigForm({ config, onDone }: { config: ProviderConfigOut | null; onDone: () => void }) {
  const fmt = useFormat();
  const editing = config !== null;
  const [provider, setProvider] = useState<ProviderKind>(config?.provider ?? providerKinds[0]);
  const [rotating, setRotating] = useState<Record<string, boolean>>({});
  const create = useCreateProviderConfig();
  const update = useUpdateProviderConfig();
  const form = useForm<FormValues>({ resolver: providerResolver(editing), defaultValues: initialValues(provider, config), mode: "onTouched" });

  const pickProvider = (p: ProviderKind) => {
    setProvider(p);
    form.reset(initialValues(p, null));
  };

  const onSubmit = form.handleSubmit((body) => {
    const onError = (e: unknown) => {
      // Server-side 422s land on the same fields as the inline checks.
      if (e instanceof ApiClientError && Array.isArray(e.details)) {
        for (const d of e.details as { path?: string; message: string }[]) {
          if (d.path) form.setError(d.path.replace(/\[\d+\].*$/, "") as never, { message: d.message });
        }
      }
      toast.error(errorMessage(e));
    };
    if (editing) {
      update.mutate(
        { provider, id: config.id, body },
        { onSuccess: (c) => (toast.success(`Saved ${c.display_name}`), onDone()), onError },
      );
    } else {
      create.mutate(
        { provider, body },
        { onSuccess: (c) => (toast.success(`Created ${c.display_name} as a draft: test it to activate`), onDone()), onError },
      );
    }
  });

  return (
    <>
      <DialogHeader>
        <DialogTitle>{editing ? `Edit ${config.display_name}` : "Add a provider"}</DialogTitle>
        <DialogDescription>
          Credentials are write-only: Herald stores them encrypted and never shows them again.
        </DialogDescription>
      </DialogHeader>
      <Form {...form}>
        <form onSubmit={onSubmit} className="grid gap-4" noValidate aria-label={editing ? "Edit provider" : "Add provider"}>
          {!editing ? (
            <div className="grid gap-2">
              <Label htmlFor="provider-kind">Provider</Label>
              <Select value={provider} onValueChange={(v) => pickProvider(v as ProviderKind)}>
                <SelectTrigger id="provider-kind" aria-label="Provider" className="w-full">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {providerKinds.map((p) => (
                    <SelectItem key={p} value={p}>
                      {providerLabels[p]}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
          ) : null}
          <TextField name="display_name" label="Display name" control={form.control} />
          {Object.entries(fieldsOf(provider)).map(([name, meta]) => (
            <SettingField key={`${provider}-${name}`} name={name} meta={meta} control={form.control} />
          ))}
          <fieldset className="grid gap-4 rounded-md border p-3">
            <legend className="px-1 text-sm font-medium">Credentials</legend>
            {Object.entries(credentialsOf(provider)).map(([name, meta]) => {
              const current = config?.credentials[name];
              const showInput = !editing || !current || rotating[name];
              return (
                <FormField
                  key={`${provider}-${name}`}
                  control={form.control}
                  name={`credentials.${name}`}
                  render={({ field }) => (
                    <FormItem controlId={`cred-${name}`}>
                      <FormLabel>{meta.optional ? `${meta.label} (optional)` : meta.label}</FormLabel>
                      {editing && current ? (
                        <div className="flex items-center gap-2 text-sm text-muted-foreground">
                          <span data-testid={`credential-state-${name}`}>{credentialSummary(current, fmt)}</span>
                          {!rotating[name] ? (
                            <Button type="button" size="sm" variant="outline" onClick={() => setRotating((r) => ({ ...r, [name]: true }))}>
                              Rotate {meta.label}
                            </Button>
                          ) : null}
                        </div>
                      ) : null}
                      {showInput ? (
                        <FormControl>
                          {meta.multiline ? (
                            <Textarea
                              rows={4}
                              autoComplete="off"
                              spellCheck={false}
                              className="font-mono text-xs"
                              placeholder={editing && current ? "New value" : undefined}
                              {...field}
                              value={String(field.value ?? "")}
                            />
                          ) : (
                            <Input
                              type="password"
                              autoComplete="new-password"
                              placeholder={editing && current ? "New value" : undefined}
                              {...field}
                              value={String(field.value ?? "")}
                            />
                          )}
                        </FormControl>
                      ) : null}
                      {meta.description ? <FormDescription>{meta.description}</FormDescription> : null}
                      <FormMessage />
                    </FormItem>
                  )}
                />
              );
            })}
          </fieldset>
          <details className="grid gap-4">
            <summary className="cursor-pointer text-sm text-muted-foreground">Advanced</summary>
            <div className="mt-3 grid gap-4">
              <TextField name="api_base_url" label="API base URL" control={form.control} description="Leave empty for the provider's own host" />
              <TextField name="monthly_quota" label="Monthly quota" control={form.control} type="number" />
            </div>
          </details>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onDone}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending || update.isPending}>
              {editing ? "Save changes" : "Create draft"}
            </Button>
          </DialogFooter>
        </form>
      </Form>
    </>
  );
}

type Control = ReturnType<typeof useForm<FormValues>>["control"];

/** Placeholders show examples, never something that looks like a filled-in value. */
function examplePlaceholder(p: string | undefined): string | undefined {
  return p && !/^e\.g\./i.test(p) ? `e.g. ${p}` : p;
}

function TextField({ name, label, control, description, type = "text", placeholder }: { name: string; label: string; control: Control; description?: string; type?: string; placeholder?: string }) {
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem controlId={`field-${name}`}>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <Input type={type} placeholder={placeholder} autoComplete="off" {...field} value={String(field.value ?? "")} />
          </FormControl>
          {description ? <FormDescription>{description}</FormDescription> : null}
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

function SettingField({ name, meta, control }: { name: string; meta: FieldMeta; control: Control }) {
  if (meta.kind === "boolean") {
    return (
      <FormField
        control={control}
        name={name}
        render={({ field }) => (
          <FormItem controlId={`field-${name}`} className="flex items-center justify-between gap-4 rounded-md border p-3">
            <div className="grid gap-1">
              <FormLabel>{meta.label}</FormLabel>
              {meta.description ? <FormDescription>{meta.description}</FormDescription> : null}
            </div>
            <FormControl>
              <Switch checked={Boolean(field.value)} onCheckedChange={field.onChange} />
            </FormControl>
          </FormItem>
        )}
      />
    );
  }
  if (meta.kind === "select") {
    return (
      <FormField
        control={control}
        name={name}
        render={({ field }) => (
          <FormItem controlId={`field-${name}`}>
            <FormLabel>{meta.label}</FormLabel>
            <Select value={String(field.value ?? "")} onValueChange={field.onChange}>
              <FormControl>
                <SelectTrigger className="w-full">
                  <SelectValue />
                </SelectTrigger>
              </FormControl>
              <SelectContent>
                {(meta.options ?? []).map((o) => (
                  <SelectItem key={o} value={o}>
                    {o}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            <FormMessage />
          </FormItem>
        )}
      />
    );
  }
  return (
    <TextField
      name={name}
      label={meta.optional ? `${meta.label} (optional)` : meta.label}
      control={control}
      description={meta.description}
      placeholder={examplePlaceholder(meta.placeholder)}
      type={meta.kind === "number" ? "number" : meta.kind === "email" ? "email" : "text"}
    />
  );
}
