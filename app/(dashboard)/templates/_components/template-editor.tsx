"use client";

import { ArrowLeft, Plus, Send } from "lucide-react";
import { useEffect, useMemo, useRef, useState } from "react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { PageHeader } from "@/components/ui/page-header";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import {
  useDeleteTemplate,
  usePublishTemplate,
  useSaveTemplate,
  useTemplate,
  type TemplateChannel,
  type TemplateContent,
} from "@/lib/hooks/use-templates";
import { useUrlState } from "@/lib/hooks/use-url-state";
import { ChannelFields, emptyVariant } from "./channel-fields";
import { SampleData, type Sample } from "./sample-data";
import { TemplatePreviewPanel } from "./template-preview";
import { TestSendDialog } from "./test-send-dialog";
import { VersionHistory } from "./version-history";

const channelLabels: Record<TemplateChannel, string> = {
  email: "Email",
  sms: "SMS",
  push: "Push",
  whatsapp: "WhatsApp",
};
const channels = Object.keys(channelLabels) as TemplateChannel[];

export function TemplateEditor({
  templateKey,
  canEdit,
  userEmail,
  onClose,
}: {
  templateKey: string;
  canEdit: boolean;
  userEmail: string;
  onClose: () => void;
}) {
  const template = useTemplate(templateKey);
  const [urlValues, setUrl] = useUrlState(["channel", "locale", "tab"] as const);
  const url = { get: (k: "channel" | "locale" | "tab") => urlValues[k], set: (patch: Partial<Record<"channel" | "locale" | "tab", string | null>>) => setUrl(patch) };
  const save = useSaveTemplate(templateKey);
  const publish = usePublishTemplate(templateKey);
  const remove = useDeleteTemplate();
  const [content, setContent] = useState<TemplateContent | null>(null);
  const [dirty, setDirty] = useState(false);
  const [sample, setSample] = useState<Sample>({ data: {}, contactId: null });
  const [publishing, setPublishing] = useState(false);
  const [note, setNote] = useState("");
  const [deleting, setDeleting] = useState(false);
  const [testing, setTesting] = useState(false);
  const [newLocale, setNewLocale] = useState("");
  const loadedAt = useRef<string | null>(null);

  // Load the stored draft once per stored change (a save, publish or rollback), keeping unsaved edits otherwise.
  useEffect(() => {
    const t = template.data;
    if (!t || loadedAt.current === t.draft_updated_at) return;
    loadedAt.current = t.draft_updated_at;
    setContent(t.draft);
    setDirty(false);
  }, [template.data]);

  const locales = useMemo(() => (content ? Object.keys(content.locales) : []), [content]);
  const locale =
    url.get("locale") && content?.locales[url.get("locale")!]
      ? url.get("locale")!
      : (content?.default_locale ?? "en");
  const firstChannel = channels.find((c) => content?.locales[locale]?.[c]) ?? "email";
  const channel = (channels as string[]).includes(url.get("channel") ?? "")
    ? (url.get("channel") as TemplateChannel)
    : firstChannel;
  const tab = url.get("tab") === "versions" ? "versions" : "edit";

  if (template.isPending || (template.data && !content))
    return <Skeleton className="h-96 w-full" />;
  if (template.isError) {
    return (
      <div className="grid gap-4">
        <Button variant="ghost" className="w-fit" onClick={onClose}>
          <ArrowLeft aria-hidden /> Templates
        </Button>
        <p className="text-sm text-destructive">{errorMessage(template.error)}</p>
      </div>
    );
  }
  const t = template.data!;
  const c = content!;
  const variant = c.locales[locale]?.[channel];

  function update(next: TemplateContent) {
    setContent(next);
    setDirty(true);
  }
  function setVariant(v: unknown) {
    update({
      ...c,
      locales: { ...c.locales, [locale]: { ...c.locales[locale], [channel]: v ?? undefined } },
    });
  }
  function addLocale() {
    const tag = newLocale.trim();
    if (!tag) return;
    if (c.locales[tag]) {
      url.set({ locale: tag });
      return;
    }
    update({ ...c, locales: { ...c.locales, [tag]: { [channel]: emptyVariant(channel) } } });
    setNewLocale("");
    url.set({ locale: tag });
  }
  const saveDraft = (then?: () => void) =>
    save.mutate(
      { content: c },
      {
        onSuccess: () => {
          toast.success("Draft saved");
          setDirty(false);
          then?.();
        },
        onError: (e) => toast.error(errorMessage(e)),
      },
    );
  const doPublish = () => {
    const run = () =>
      publish.mutate(
        { note: note || undefined },
        {
          onSuccess: (r) => {
            toast.success(`Published version ${r.version}`);
            setPublishing(false);
            setNote("");
          },
          onError: (e) => toast.error(errorMessage(e)),
        },
      );
    if (dirty) saveDraft(run);
    else run();
  };

  return (
    <div className="grid gap-2">
      <Button variant="ghost" className="w-fit" onClick={onClose}>
        <ArrowLeft aria-hidden /> Templates
      </Button>
      <PageHeader
        title={t.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <code className="font-mono text-xs">{t.key}</code>
            <Badge variant="outline">{t.category}</Badge>
            {t.published_version === null ? (
              <Badge variant="secondary">Not published</Badge>
            ) : (
              <Badge variant="success">Live: v{t.published_version}</Badge>
            )}
            {dirty ? (
              <Badge variant="warning">Unsaved changes</Badge>
            ) : t.has_unpublished_changes && t.published_version !== null ? (
              <Badge variant="info">Draft differs from v{t.published_version}</Badge>
            ) : null}
          </span>
        }
        actions={
          canEdit ? (
            <>
              <Button
                variant="outline"
                onClick={() => setTesting(true)}
                disabled={channel === "push" || !variant}
              >
                <Send aria-hidden /> Test send
              </Button>
              <SubmitButton type="button" variant="outline" onClick={() => saveDraft()} pending={save.isPending} pendingLabel="Saving…" blockedReason={dirty ? null : "No changes to save"}>
                Save draft
              </SubmitButton>
              <Button onClick={() => setPublishing(true)}>Publish</Button>
            </>
          ) : null
        }
      />
      <Tabs
        value={tab}
        onValueChange={(v) => url.set({ tab: v === "edit" ? null : v })}
        className="grid gap-4"
      >
        <TabsList>
          <TabsTrigger value="edit">Editor</TabsTrigger>
          <TabsTrigger value="versions">Versions</TabsTrigger>
        </TabsList>
        <TabsContent value="edit" className="grid gap-4 lg:grid-cols-2">
          <Card className="min-w-0">
            <CardHeader>
              <CardTitle>Content</CardTitle>
              <CardDescription>
                Liquid: {"{{ contact.first_name }}"}, {"{{ data.order_id }}"}, {"{{ tenant.name }}"}
                ; email HTML output is escaped unless you add | raw.
              </CardDescription>
            </CardHeader>
            <CardContent className="grid gap-4">
              <div className="flex flex-wrap items-end gap-3">
                <div className="grid gap-1.5">
                  <Label htmlFor="tpl-locale-pick">Locale</Label>
                  <Select value={locale} onValueChange={(v) => url.set({ locale: v })}>
                    <SelectTrigger id="tpl-locale-pick" className="w-36">
                      <SelectValue />
                    </SelectTrigger>
                    <SelectContent>
                      {locales.map((l) => (
                        <SelectItem key={l} value={l}>
                          {l}
                          {l === c.default_locale ? " (default)" : ""}
                        </SelectItem>
                      ))}
                    </SelectContent>
                  </Select>
                </div>
                {canEdit ? (
                  <div className="flex items-end gap-2">
                    <div className="grid gap-1.5">
                      <Label htmlFor="tpl-new-locale">Add locale</Label>
                      <Input
                        id="tpl-new-locale"
                        className="w-32"
                        placeholder="e.g. sv-SE"
                        value={newLocale}
                        onChange={(e) => setNewLocale(e.target.value)}
                        onKeyDown={(e) => e.key === "Enter" && (e.preventDefault(), addLocale())}
                      />
                    </div>
                    <Button
                      variant="outline"
                      size="icon"
                      aria-label="Add locale"
                      onClick={addLocale}
                    >
                      <Plus aria-hidden />
                    </Button>
                  </div>
                ) : null}
              </div>
              <Tabs value={channel} onValueChange={(v) => url.set({ channel: v })}>
                <TabsList className="flex-wrap">
                  {channels.map((ch) => (
                    <TabsTrigger key={ch} value={ch}>
                      {channelLabels[ch]}
                      {c.locales[locale]?.[ch] ? "" : " +"}
                    </TabsTrigger>
                  ))}
                </TabsList>
              </Tabs>
              {variant ? (
                <ChannelFields
                  channel={channel}
                  value={variant}
                  onChange={setVariant}
                  readOnly={!canEdit}
                />
              ) : (
                <div className="grid justify-items-start gap-2 rounded-lg border border-dashed p-4 text-sm text-muted-foreground">
                  <p>
                    No {channelLabels[channel]} content in {locale}
                    {locale !== c.default_locale && c.locales[c.default_locale]?.[channel]
                      ? `: recipients in ${locale} get the ${c.default_locale} version.`
                      : "."}
                  </p>
                  {canEdit ? (
                    <Button variant="outline" onClick={() => setVariant(emptyVariant(channel))}>
                      <Plus aria-hidden /> Add {channelLabels[channel]} content
                    </Button>
                  ) : null}
                </div>
              )}
            </CardContent>
          </Card>
          <div className="grid min-w-0 content-start gap-4">
            <SampleData value={sample} onChange={setSample} />
            <TemplatePreviewPanel
              templateKey={t.key}
              channel={channel}
              locale={locale}
              content={c}
              sample={sample}
            />
          </div>
        </TabsContent>
        <TabsContent value="versions">
          <VersionHistory templateKey={t.key} canEdit={canEdit} />
        </TabsContent>
      </Tabs>
      {canEdit ? (
        <div className="pt-6">
          <Button variant="ghost" className="text-destructive" onClick={() => setDeleting(true)}>
            Delete template
          </Button>
        </div>
      ) : null}

      <AlertDialog open={publishing} onOpenChange={setPublishing}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Publish version {t.latest_version + 1}?</AlertDialogTitle>
            <AlertDialogDescription>
              Every send of <code className="font-mono">{t.key}</code> renders this version from now
              on.{dirty ? " Your unsaved changes are saved first." : ""}
            </AlertDialogDescription>
          </AlertDialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor="tpl-note">Note (optional)</Label>
            <Input
              id="tpl-note"
              placeholder="e.g. New summer greeting"
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          </div>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction
              onClick={(e) => (e.preventDefault(), doPublish())}
              disabled={publish.isPending}
            >
              {publish.isPending ? "Publishing…" : "Publish"}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>

      <AlertDialog open={deleting} onOpenChange={setDeleting}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Delete {t.name}?</AlertDialogTitle>
            <AlertDialogDescription>
              The template and all its versions are removed. Sends naming{" "}
              <code className="font-mono">{t.key}</code> will answer 422 until a template with that
              key exists again.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction
              className="bg-destructive text-white hover:bg-destructive/90"
              onClick={() =>
                remove.mutate(t.key, {
                  onSuccess: () => {
                    toast.success("Template deleted");
                    onClose();
                  },
                  onError: (e) => toast.error(errorMessage(e)),
                })
              }
            >
              Delete
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>

      <TestSendDialog
        open={testing}
        onOpenChange={setTesting}
        templateKey={t.key}
        channel={channel}
        locale={locale}
        content={c}
        sample={sample}
        defaultTo={channel === "email" ? userEmail : ""}
      />
    </div>
  );
}
