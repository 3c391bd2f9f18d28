"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { InviteMemberBody } from "@/lib/validations/members";
import { apiFetch } from "./api-client";

export interface MemberItem {
  user_id: string;
  email: string;
  name: string | null;
  role: "owner" | "admin" | "staff" | "viewer";
  joined_at: string;
  last_sign_in_at: string | null;
}

export interface InvitationItem {
  id: string;
  email: string;
  role: MemberItem["role"];
  status: "pending" | "expired";
  invited_by: string | null;
  expires_at: string;
  last_sent_at: string;
  created_at: string;
}

/** A freshly issued invitation: `accept_url` is in this answer only. */
export interface IssuedInvitation {
  invitation: InvitationItem;
  accept_url: string;
  emailed: boolean;
  message_id?: string;
  email_reason?: string;
}

export const membersKey = ["members"] as const;

export function useMembers() {
  return useQuery({ queryKey: membersKey, queryFn: () => apiFetch<{ data: MemberItem[]; invitations: InvitationItem[] }>("/api/v1/members") });
}

export function useInviteMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: InviteMemberBody) => apiFetch<IssuedInvitation>("/api/v1/members", { method: "POST", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: membersKey }),
  });
}

export function useResendInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<IssuedInvitation>(`/api/v1/members/invitations/${id}/resend`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: membersKey }),
  });
}

export function useRevokeInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/members/invitations/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: membersKey }),
  });
}

export function useChangeRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: MemberItem["role"] }) =>
      apiFetch(`/api/v1/members/${userId}`, { method: "PATCH", body: { role } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: membersKey }),
  });
}

export function useRemoveMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => apiFetch<void>(`/api/v1/members/${userId}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: membersKey }),
  });
}
