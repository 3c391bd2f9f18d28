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

export const membersKey = ["members"] as const;

export function useMembers() {
  return useQuery({ queryKey: membersKey, queryFn: () => apiFetch<{ data: MemberItem[] }>("/api/v1/members").then((r) => r.data) });
}

export function useInviteMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: InviteMemberBody) =>
      apiFetch<{ user_id: string; email: string; role: string; one_time_password: string | null }>("/api/v1/members", {
        method: "POST",
        body,
      }),
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
