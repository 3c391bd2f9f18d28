"use client";

import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { TemplateChannel } from "@/lib/hooks/use-templates";

type Variant = Record<string, unknown>;

export function emptyVariant(channel: TemplateChannel): Variant {
  switch (channel) {
    case "email":
      return { subject: "", html: "" };
    case "sms":
      return { body: "" };
    case "push":
      return { title: "", body: "" };
    case "whatsapp":
      return { body_text: "" };
  }
}

/** Optional fields are dropped when emptied, so the stored draft only holds what the author wrote. */
function setField(v: Variant, field: string, value: unknown): Variant {
  const next = { ...v };
  if (value === "" || value === undefined || (Array.isArray(value) && value.length === 0))
    delete next[field];
  else next[field] = value;
  return next;
}

function Field({
  id,
  label,
  value,
  onChange,
  multiline,
  placeholder,
  readOnly,
  mono,
  help,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  multiline?: number;
  placeholder: string;
  readOnly: boolean;
  mono?: boolean;
  help?: string;
}) {
  const cls = mono ? "font-mono text-sm" : undefined;
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {multiline ? (
        <Textarea
          id={id}
          rows={multiline}
          className={cls}
          placeholder={placeholder}
          value={value}
          readOnly={readOnly}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={help ? `${id}-help` : undefined}
        />
      ) : (
        <Input
          id={id}
          className={cls}
          placeholder={placeholder}
          value={value}
          readOnly={readOnly}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={help ? `${id}-help` : undefined}
        />
      )}
      {help ? (
        <p id={`${id}-help`} className="text-xs text-muted-foreground">
          {help}
        </p>
      ) : null}
    </div>
  );
}

export function ChannelFields({
  channel,
  value,
  onChange,
  readOnly,
}: {
  channel: TemplateChannel;
  value: unknown;
  onChange: (v: Variant | null) => void;
  readOnly: boolean;
}) {
  const v = (value ?? {}) as Variant;
  const str = (f: string) => (typeof v[f] === "string" ? (v[f] as string) : "");
  const bind = (
    f: string,
    opts: { label: string; placeholder: string; multiline?: number; mono?: boolean; help?: string },
  ) => (
    <Field
      id={`tpl-${channel}-${f}`}
      value={str(f)}
      onChange={(x) => onChange(setField(v, f, x))}
      readOnly={readOnly}
      {...opts}
    />
  );
  const remove = readOnly ? null : (
    <button
      type="button"
      className="justify-self-start text-xs text-muted-foreground underline underline-offset-4"
      onClick={() => onChange(null)}
    >
      Remove this channel from the locale
    </button>
  );

  switch (channel) {
    case "email":
      return (
        <div className="grid gap-4">
          {bind("subject", {
            label: "Subject",
            placeholder: "e.g. Your order {{ data.order_id }} has shipped",
          })}
          {bind("html", {
            label: "HTML body",
            placeholder: "e.g. <p>Hi {{ contact.first_name }},</p>",
            multiline: 12,
            mono: true,
          })}
          {bind("text", {
            label: "Text body (optional)",
            placeholder: "Generated from the HTML when empty",
            multiline: 5,
            mono: true,
            help: "Left empty, the plain-text part is generated from the rendered HTML.",
          })}
          {remove}
        </div>
      );
    case "sms":
      return (
        <div className="grid gap-4">
          {bind("body", {
            label: "Message",
            placeholder: "e.g. Hi {{ contact.first_name }}, your code is {{ data.code }}",
            multiline: 5,
          })}
          {remove}
        </div>
      );
    case "push": {
      const data = (v.data ?? {}) as Record<string, string>;
      return (
        <div className="grid gap-4">
          {bind("title", { label: "Title", placeholder: "e.g. Match moved to {{ data.time }}" })}
          {bind("body", {
            label: "Body",
            placeholder: "e.g. {{ data.team }} plays at {{ data.venue }}",
            multiline: 3,
          })}
          {bind("image_url", {
            label: "Image URL (optional)",
            placeholder: "e.g. https://cdn.example.com/{{ data.image }}",
          })}
          {bind("click_action", {
            label: "Click action (optional)",
            placeholder: "e.g. app://matches/{{ data.match_id }}",
          })}
          {bind("collapse_key", {
            label: "Collapse key (optional)",
            placeholder: "e.g. match-{{ data.match_id }}",
          })}
          <Field
            id={`tpl-push-data`}
            label="Data (optional, one key=value per line)"
            placeholder="e.g. match_id={{ data.match_id }}"
            multiline={3}
            mono
            readOnly={readOnly}
            value={Object.entries(data)
              .map(([k, x]) => `${k}=${x}`)
              .join("\n")}
            onChange={(x) => {
              const entries = x
                .split("\n")
                .map((line) => line.split(/=(.*)/s))
                .filter(([k]) => k && k.trim())
                .map(([k, val]) => [k!.trim(), val ?? ""] as const);
              onChange(
                setField(v, "data", entries.length ? Object.fromEntries(entries) : undefined),
              );
            }}
          />
          {remove}
        </div>
      );
    }
    case "whatsapp": {
      const isTemplate = typeof v.template_name === "string";
      const params = Array.isArray(v.parameters) ? (v.parameters as string[]) : [];
      return (
        <div className="grid gap-4">
          <div
            className="flex flex-wrap gap-4 text-sm"
            role="radiogroup"
            aria-label="WhatsApp message type"
          >
            {[
              { value: false, label: "Free text (24 h window)" },
              { value: true, label: "Cloud API template" },
            ].map((o) => (
              <label key={o.label} className="flex items-center gap-2">
                <input
                  type="radio"
                  name="wa-type"
                  checked={isTemplate === o.value}
                  disabled={readOnly}
                  onChange={() =>
                    onChange(o.value ? { template_name: "", parameters: [] } : { body_text: "" })
                  }
                />
                {o.label}
              </label>
            ))}
          </div>
          {isTemplate ? (
            <>
              <Field
                id="tpl-wa-name"
                label="Template name"
                placeholder="e.g. order_update"
                value={str("template_name")}
                onChange={(x) => onChange({ ...v, template_name: x })}
                readOnly={readOnly}
                mono
              />
              {bind("template_language", {
                label: "Template language (optional)",
                placeholder: "Defaults to this locale, e.g. sv",
              })}
              <Field
                id="tpl-wa-params"
                label="Parameters ({{1}}, {{2}} … one Liquid expression per line)"
                placeholder="e.g. {{ contact.first_name }}"
                multiline={4}
                mono
                readOnly={readOnly}
                value={params.join("\n")}
                onChange={(x) => onChange(setField(v, "parameters", x.split("\n")))}
              />
            </>
          ) : (
            bind("body_text", {
              label: "Message",
              placeholder: "e.g. Hi {{ contact.first_name }}, see you at {{ data.time }}",
              multiline: 5,
            })
          )}
          {remove}
        </div>
      );
    }
  }
}
