"use client";

import { Plus, Search, Upload, Users, X } from "lucide-react";
import { useEffect, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { FILTER_ALL, FilterSelect } from "@/components/ui/filter-select";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/hooks/api-client";
import { useContacts } from "@/lib/hooks/use-contacts";
import { useLists } from "@/lib/hooks/use-lists";
import { useUrlState } from "@/lib/hooks/use-url-state";
import { ContactDrawer } from "./contact-drawer";
import { ContactFormDialog } from "./contact-form-dialog";
import { ImportContactsDialog } from "./import-contacts-dialog";

const channelOptions = [
  { value: "email", label: "Email" },
  { value: "sms", label: "SMS" },
  { value: "push", label: "Push" },
  { value: "whatsapp", label: "WhatsApp" },
];

const keys = ["q", "attribute", "list_id", "unsubscribed", "contact", "dialog"] as const;

export function ContactsView({ canWrite }: { canWrite: boolean }) {
  const [url, setUrl] = useUrlState(keys);
  const [input, setInput] = useState(url.q ?? "");
  // The search box writes to the URL after a pause; the URL is what the list reads.
  useEffect(() => {
    const t = setTimeout(() => {
      if ((url.q ?? "") !== input.trim()) setUrl({ q: input.trim() || null });
    }, 250);
    return () => clearTimeout(t);
  }, [input, url.q, setUrl]);
  const contacts = useContacts({ q: url.q, attribute: url.attribute, list_id: url.list_id, unsubscribed: url.unsubscribed });
  const lists = useLists();
  const rows = contacts.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(url.q || url.attribute || url.list_id || url.unsubscribed);

  return (
    <div className="grid gap-4">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <div className="relative flex-1">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input type="search" value={input} onChange={(e) => setInput(e.target.value)} placeholder="e.g. anna, anna@example.com, +4670…" className="pl-9" aria-label="Search contacts" />
        </div>
        {canWrite ? (
          <div className="flex gap-2">
            <Button variant="outline" onClick={() => setUrl({ dialog: "import" })}>
              <Upload aria-hidden /> Import
            </Button>
            <Button onClick={() => setUrl({ dialog: "new" })}>
              <Plus aria-hidden /> Add contact
            </Button>
          </div>
        ) : null}
      </div>

      <div className="flex flex-wrap items-end gap-2" aria-label="Filters">
        <div className="grid w-full gap-1.5 sm:w-56">
          <label htmlFor="contact-attribute" className="text-xs text-muted-foreground">
            Attribute
          </label>
          <Input
          id="contact-attribute"
          defaultValue={url.attribute ?? ""}
          key={url.attribute ?? ""}
          onKeyDown={(e) => {
            if (e.key === "Enter") setUrl({ attribute: (e.target as HTMLInputElement).value.trim() || null });
          }}
          onBlur={(e) => setUrl({ attribute: e.target.value.trim() || null })}
          placeholder="e.g. team:u12"
          aria-label="Attribute filter (key:value)"
          />
        </div>
        <FilterSelect
          label="List"
          value={url.list_id ?? FILTER_ALL}
          onChange={(v) => setUrl({ list_id: v === FILTER_ALL ? null : v })}
          options={(lists.data?.data ?? []).filter((l) => l.kind === "static").map((l) => ({ value: l.id, label: l.name }))}
        />
        <FilterSelect
          label="Unsubscribed from"
          value={url.unsubscribed ?? FILTER_ALL}
          onChange={(v) => setUrl({ unsubscribed: v === FILTER_ALL ? null : v })}
          options={channelOptions}
        />
        {filtered ? (
          <Button
            variant="ghost"
            size="sm"
            onClick={() => {
              setInput("");
              setUrl({ q: null, attribute: null, list_id: null, unsubscribed: null });
            }}
          >
            <X aria-hidden /> Clear filters
          </Button>
        ) : null}
      </div>

      <section aria-live="polite" aria-busy={contacts.isFetching}>
        {contacts.isPending ? (
          <div className="grid gap-2">
            {Array.from({ length: 5 }, (_, i) => (
              <Skeleton key={i} className="h-14 w-full" />
            ))}
          </div>
        ) : contacts.isError ? (
          <p className="text-sm text-destructive">{errorMessage(contacts.error)}</p>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={Users}
            title={filtered ? "No contacts match" : "No contacts yet"}
            description={
              filtered
                ? "Try fewer words or clear the filters."
                : canWrite
                  ? "Add your first contact, import a CSV or NDJSON file, or sync them with PUT /api/v1/contacts/by-external-id/{id}."
                  : "Contacts appear here once your team adds or imports them."
            }
            action={
              !filtered && canWrite ? (
                <div className="flex flex-wrap justify-center gap-2">
                  <Button onClick={() => setUrl({ dialog: "new" })}>
                    <Plus aria-hidden /> Add the first contact
                  </Button>
                  <Button variant="outline" onClick={() => setUrl({ dialog: "import" })}>
                    <Upload aria-hidden /> Import a file
                  </Button>
                </div>
              ) : undefined
            }
          />
        ) : (
          <Card>
            <CardContent className="p-0">
              <ul className="divide-y">
                {rows.map((c) => (
                  <li key={c.id}>
                    <button
                      type="button"
                      data-row-id={c.id}
                      onClick={() => setUrl({ contact: c.id }, { push: true })}
                      className="flex w-full min-w-0 flex-col gap-0.5 px-4 py-3 text-left outline-none hover:bg-muted/50 focus-visible:bg-muted/50 focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-inset"
                    >
                      <span className="flex min-w-0 flex-wrap items-center gap-2 font-medium">
                        <span className="truncate">{c.name ?? c.email ?? c.phone ?? c.external_id ?? "Unnamed contact"}</span>
                        {c.external_id ? <Badge variant="outline" className="max-w-full truncate font-mono">{c.external_id}</Badge> : null}
                      </span>
                      <span className="truncate text-sm text-muted-foreground">{[c.email, c.phone].filter(Boolean).join(" · ") || "No address yet"}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </CardContent>
          </Card>
        )}
        {contacts.hasNextPage ? (
          <div className="mt-3 flex justify-center">
            <Button variant="outline" onClick={() => contacts.fetchNextPage()} disabled={contacts.isFetchingNextPage}>
              {contacts.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          </div>
        ) : null}
      </section>

      <ContactDrawer id={url.contact} onClose={() => setUrl({ contact: null }, { push: true })} canWrite={canWrite} />
      {canWrite ? <ContactFormDialog open={url.dialog === "new"} onOpenChange={(o) => setUrl({ dialog: o ? "new" : null })} onCreated={(id) => setUrl({ dialog: null, contact: id })} /> : null}
      {canWrite ? <ImportContactsDialog open={url.dialog === "import"} onOpenChange={(o) => setUrl({ dialog: o ? "import" : null })} /> : null}
    </div>
  );
}
