"use client";

import { useUrlState } from "@/lib/hooks/use-url-state";
import { TemplateEditor } from "./template-editor";
import { TemplateList } from "./template-list";

/** The list, or the editor of `?template=<key>`: which one is open lives in the URL. */
export function TemplatesView({ canEdit, userEmail }: { canEdit: boolean; userEmail: string }) {
  const [url, set] = useUrlState(["template", "channel", "locale", "tab"] as const);
  if (url.template) {
    return (
      <TemplateEditor
        templateKey={url.template}
        canEdit={canEdit}
        userEmail={userEmail}
        onClose={() => set({ template: null, channel: null, locale: null, tab: null }, { push: true })}
      />
    );
  }
  return <TemplateList canEdit={canEdit} onOpen={(k) => set({ template: k }, { push: true })} />;
}
