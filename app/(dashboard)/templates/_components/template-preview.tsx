"use client";

import { useEffect, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ApiClientError } from "@/lib/hooks/api-client";
import {
  usePreviewTemplate,
  type TemplateChannel,
  type TemplateContent,
  type TemplatePreview,
} from "@/lib/hooks/use-templates";
import type { Sample } from "./sample-data";

/** Renders the editor's unsaved content on the server (the same engine sends use), 400 ms after the last keystroke. */
export function TemplatePreviewPanel({
  templateKey,
  channel,
  locale,
  content,
  sample,
}: {
  templateKey: string;
  channel: TemplateChannel;
  locale: string;
  content: TemplateContent;
  sample: Sample;
}) {
  const preview = usePreviewTemplate(templateKey);
  const [result, setResult] = useState<TemplatePreview | null>(null);
  const [problem, setProblem] = useState<{ message: string; missing: string[] } | null>(null);
  const { mutate } = preview;
  const request = JSON.stringify({
    channel,
    locale,
    content,
    data: sample.data,
    contact_id: sample.contactId,
  });
  const nothing =
    !content.locales[locale]?.[channel] && !content.locales[content.default_locale]?.[channel];

  useEffect(() => {
    const body = JSON.parse(request) as {
      channel: TemplateChannel;
      locale: string;
      content: TemplateContent;
      data: Record<string, unknown>;
      contact_id: string | null;
    };
    if (
      !body.content.locales[body.locale]?.[body.channel] &&
      !body.content.locales[body.content.default_locale]?.[body.channel]
    )
      return;
    const timer = setTimeout(() => {
      mutate(
        {
          channel: body.channel,
          locale: body.locale,
          content: body.content,
          data: body.data,
          ...(body.contact_id ? { contact_id: body.contact_id } : {}),
        },
        {
          onSuccess: (r) => {
            setResult(r);
            setProblem(null);
          },
          onError: (e) => {
            const details =
              e instanceof ApiClientError && Array.isArray(e.details)
                ? (e.details as { variable?: string }[])
                : [];
            setProblem({
              message: e.message,
              missing: details.map((d) => d.variable).filter((v): v is string => Boolean(v)),
            });
          },
        },
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [request, mutate]);

  return (
    <Card aria-live="polite">
      <CardHeader>
        <CardTitle>Preview</CardTitle>
        <CardDescription>
          {result ? (
            <>
              Rendered with locale <strong>{result.locale}</strong>
              {result.locale !== locale ? ` (fallback for ${locale})` : ""}
            </>
          ) : (
            "Rendered as a send would be."
          )}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {nothing ? (
          <p className="text-sm text-muted-foreground">Nothing to preview for this channel yet.</p>
        ) : null}
        {!nothing && problem ? (
          <div
            role="alert"
            className="rounded-md border border-warning/40 bg-warning/10 p-3 text-sm"
          >
            <p>{problem.message}</p>
            {problem.missing.length ? (
              <ul className="mt-2 flex flex-wrap gap-1">
                {problem.missing.map((m) => (
                  <li key={m}>
                    <code className="rounded bg-muted px-1 font-mono text-xs">{m}</code>
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        {!nothing && result ? <Rendered result={result} /> : null}
      </CardContent>
    </Card>
  );
}

function Rendered({ result }: { result: TemplatePreview }) {
  if (result.email) {
    return (
      <div className="grid gap-2" data-testid="email-preview">
        <p className="text-sm">
          <span className="text-muted-foreground">Subject: </span>
          <strong data-testid="preview-subject">{result.email.subject}</strong>
        </p>
        {result.email.html ? (
          // sandbox="" — no scripts, no forms, no same-origin access: the rendered HTML cannot touch the dashboard.
          <iframe
            title="Email preview"
            sandbox=""
            srcDoc={result.email.html}
            className="h-96 w-full rounded-md border bg-white"
          />
        ) : null}
        <details>
          <summary className="cursor-pointer text-sm text-muted-foreground">
            Plain-text part
          </summary>
          <pre className="mt-2 max-h-64 overflow-auto whitespace-pre-wrap rounded-md bg-muted p-3 text-xs">
            {result.email.text}
          </pre>
        </details>
      </div>
    );
  }
  if (result.sms) {
    return (
      <div className="grid gap-2" data-testid="sms-preview">
        <p className="max-w-sm rounded-2xl bg-muted px-4 py-3 text-sm whitespace-pre-wrap break-words">
          {result.sms.body}
        </p>
        <p className="flex flex-wrap gap-2 text-xs text-muted-foreground">
          <Badge variant="outline">
            {result.sms.segments} segment{result.sms.segments === 1 ? "" : "s"}
          </Badge>
          <Badge variant="outline">{result.sms.encoding}</Badge>
          <span>{result.sms.characters} characters</span>
        </p>
      </div>
    );
  }
  const other = result.push ?? result.whatsapp ?? {};
  return (
    <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-words rounded-md bg-muted p-3 text-xs">
      {JSON.stringify(other, null, 2)}
    </pre>
  );
}
