"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ProviderKind } from "@/lib/validations/provider-configs";
import type { SendResultOut } from "@/lib/validations/messages";
import type { SendTestBody } from "@/lib/validations/send-test";
import { apiFetch } from "./api-client";
import { messagesKey } from "./use-messages";

/** "Send test" on a provider config: accepts a real message through that config. */
export function useSendTestMessage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ provider, id, body }: { provider: ProviderKind; id: string; body: SendTestBody }) =>
      apiFetch<SendResultOut>(`/api/communication/${provider}/configs/${id}/send-test`, { method: "POST", body }),
    // The new message shows on the Messages page.
    onSuccess: () => qc.invalidateQueries({ queryKey: messagesKey }),
  });
}
