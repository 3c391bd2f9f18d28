"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { UserPlus } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { useConfirm } from "@/components/ui/confirm-dialog";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { SecretReveal } from "@/components/ui/secret-reveal";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import {
  useChangeRole,
  useInviteMember,
  useMembers,
  useRemoveMember,
  useResendInvitation,
  useRevokeInvitation,
  type InvitationItem,
  type IssuedInvitation,
  type MemberItem,
} from "@/lib/hooks/use-members";
import { inviteMemberBody, type InviteMemberBody } from "@/lib/validations/members";
import { useFormat } from "@/components/format-provider";

const roleOptions: MemberItem["role"][] = ["owner", "admin", "staff", "viewer"];
const roleMeaning: Record<MemberItem["role"], string> = {
  owner: "everything, including managing owners.",
  admin: "configure providers, keys, members and webhooks.",
  staff: "send messages and manage contacts, schools and calls.",
  viewer: "read only.",
};

export function MembersPanel({ myRole, myUserId }: { myRole: MemberItem["role"]; myUserId: string }) {
  const fmt = useFormat();
  const members = useMembers();
  const changeRole = useChangeRole();
  const remove = useRemoveMember();
  const confirm = useConfirm();
  const [inviting, setInviting] = useState(false);
  const [issued, setIssued] = useState<IssuedInvitation | null>(null);
  const canManage = myRole === "owner" || myRole === "admin";
  // Only owners hand out (or take away) ownership; the server enforces the same rule.
  const grantable = myRole === "owner" ? roleOptions : roleOptions.filter((r) => r !== "owner");

  return (
    <Card>
      <CardHeader>
        <CardTitle>Members</CardTitle>
        <CardDescription>People who can sign in to this tenant and what they may do. Invited people join when they accept.</CardDescription>
        {canManage ? (
          <CardAction>
            <Button onClick={() => setInviting(true)}>
              <UserPlus aria-hidden /> Invite member
            </Button>
          </CardAction>
        ) : null}
      </CardHeader>
      <CardContent>
        {members.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : members.isError ? (
          <p className="text-sm text-destructive">{errorMessage(members.error)}</p>
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Email</TableHead>
                <TableHead>Role</TableHead>
                <TableHead>Joined</TableHead>
                <TableHead>Last sign-in</TableHead>
                <TableHead className="sr-only">Actions</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.data.data.map((m) => {
                const editable = canManage && m.user_id !== myUserId && (m.role !== "owner" || myRole === "owner");
                return (
                  <TableRow key={m.user_id} data-testid={`member-row-${m.email}`}>
                    <TableCell>
                      <div className="font-medium">{m.email}</div>
                      {m.name ? <div className="text-xs text-muted-foreground">{m.name}</div> : null}
                    </TableCell>
                    <TableCell>
                      {editable ? (
                        <Select
                          value={m.role}
                          onValueChange={async (role) => {
                            const ok = await confirm({
                              title: `Make ${m.email} ${role === "admin" || role === "owner" ? "an" : "a"} ${role}?`,
                              description: `Their role changes from ${m.role} to ${role} at once: ${roleMeaning[role as MemberItem["role"]]}`,
                              confirmLabel: "Change role",
                              destructive: false,
                            });
                            if (!ok) return;
                            changeRole.mutate(
                              { userId: m.user_id, role: role as MemberItem["role"] },
                              {
                                onSuccess: () => toast.success(`${m.email} is now ${role}`),
                                onError: (e) => toast.error(errorMessage(e)),
                              },
                            );
                          }}
                        >
                          <SelectTrigger size="sm" className="w-28" aria-label={`Role of ${m.email}`}>
                            <SelectValue />
                          </SelectTrigger>
                          <SelectContent>
                            {grantable.map((r) => (
                              <SelectItem key={r} value={r}>
                                {r}
                              </SelectItem>
                            ))}
                          </SelectContent>
                        </Select>
                      ) : (
                        <Badge variant="outline">{m.role}</Badge>
                      )}
                    </TableCell>
                    <TableCell>{fmt.dateTime(m.joined_at)}</TableCell>
                    <TableCell>{m.last_sign_in_at ? fmt.dateTime(m.last_sign_in_at) : "never"}</TableCell>
                    <TableCell className="text-right">
                      {editable ? (
                        <Button
                          variant="ghost"
                          size="sm"
                          onClick={async () => {
                            const ok = await confirm({
                              title: `Remove ${m.email} from this tenant?`,
                              description: "They lose access at once. Their account stays, and you can invite them again.",
                              confirmLabel: "Remove",
                            });
                            if (ok) {
                              remove.mutate(m.user_id, {
                                onSuccess: () => toast.success(`Removed ${m.email}`),
                                onError: (e) => toast.error(errorMessage(e)),
                              });
                            }
                          }}
                        >
                          Remove
                        </Button>
                      ) : null}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
        {members.data && members.data.invitations.length > 0 ? (
          <InvitationsTable invitations={members.data.invitations} canManage={canManage} myRole={myRole} onIssued={setIssued} />
        ) : null}
      </CardContent>
      {canManage ? <InviteDialog open={inviting} onOpenChange={setInviting} roles={grantable} /> : null}
      <IssuedDialog issued={issued} onClose={() => setIssued(null)} />
    </Card>
  );
}

/** The one-time accept link, shown once after inviting or resending. */
function IssuedLink({ issued }: { issued: IssuedInvitation }) {
  const fmt = useFormat();
  return (
    <div className="grid gap-3">
      <SecretReveal value={issued.accept_url} label="Accept link" warning="This link is shown once. Whoever opens it can accept the invitation for this email." />
      <p className="text-sm text-muted-foreground">
        {issued.emailed
          ? `Also emailed to ${issued.invitation.email} through this tenant's email config.`
          : `Not emailed: ${issued.email_reason ?? "no email config"}. Send the link to ${issued.invitation.email} yourself.`}{" "}
        It works until {fmt.dateTime(issued.invitation.expires_at)}.
      </p>
    </div>
  );
}

function IssuedDialog({ issued, onClose }: { issued: IssuedInvitation | null; onClose: () => void }) {
  return (
    <Dialog open={issued !== null} onOpenChange={(o) => (o ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>New link for {issued?.invitation.email}</DialogTitle>
          <DialogDescription>The previous link no longer works.</DialogDescription>
        </DialogHeader>
        {issued ? <IssuedLink issued={issued} /> : null}
        <DialogFooter>
          <Button onClick={onClose}>Done</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function InvitationsTable({
  invitations,
  canManage,
  myRole,
  onIssued,
}: {
  invitations: InvitationItem[];
  canManage: boolean;
  myRole: MemberItem["role"];
  onIssued: (i: IssuedInvitation) => void;
}) {
  const fmt = useFormat();
  const resend = useResendInvitation();
  const revoke = useRevokeInvitation();
  return (
    <div className="mt-6 grid gap-2">
      <h3 className="text-sm font-medium">Invitations</h3>
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Email</TableHead>
            <TableHead>Role</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Invited by</TableHead>
            <TableHead className="sr-only">Actions</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {invitations.map((inv) => {
            const manageable = canManage && (inv.role !== "owner" || myRole === "owner");
            return (
              <TableRow key={inv.id} data-testid={`invitation-row-${inv.email}`}>
                <TableCell className="font-medium break-all">{inv.email}</TableCell>
                <TableCell>
                  <Badge variant="outline">{inv.role}</Badge>
                </TableCell>
                <TableCell>
                  {inv.status === "expired" ? (
                    <Badge variant="destructive">expired {fmt.dateTime(inv.expires_at)}</Badge>
                  ) : (
                    <span className="text-sm">pending · until {fmt.dateTime(inv.expires_at)}</span>
                  )}
                </TableCell>
                <TableCell className="text-sm text-muted-foreground">{inv.invited_by ?? "—"}</TableCell>
                <TableCell className="text-right whitespace-nowrap">
                  {manageable ? (
                    <>
                      <Button
                        variant="ghost"
                        size="sm"
                        disabled={resend.isPending}
                        onClick={() =>
                          resend.mutate(inv.id, {
                            onSuccess: (r) => onIssued(r),
                            onError: (e) => toast.error(errorMessage(e)),
                          })
                        }
                      >
                        Resend
                      </Button>
                      <AlertDialog>
                        <AlertDialogTrigger asChild>
                          <Button variant="ghost" size="sm" className="text-destructive">
                            Revoke
                          </Button>
                        </AlertDialogTrigger>
                        <AlertDialogContent>
                          <AlertDialogHeader>
                            <AlertDialogTitle>Revoke the invitation to {inv.email}?</AlertDialogTitle>
                            <AlertDialogDescription>The accept link stops working at once. You can invite them again later.</AlertDialogDescription>
                          </AlertDialogHeader>
                          <AlertDialogFooter>
                            <AlertDialogCancel>Cancel</AlertDialogCancel>
                            <AlertDialogAction
                              variant="destructive"
                              onClick={() =>
                                revoke.mutate(inv.id, {
                                  onSuccess: () => toast.success(`Revoked the invitation to ${inv.email}`),
                                  onError: (e) => toast.error(errorMessage(e)),
                                })
                              }
                            >
                              Revoke
                            </AlertDialogAction>
                          </AlertDialogFooter>
                        </AlertDialogContent>
                      </AlertDialog>
                    </>
                  ) : null}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}

function InviteDialog({ open, onOpenChange, roles }: { open: boolean; onOpenChange: (o: boolean) => void; roles: MemberItem["role"][] }) {
  const invite = useInviteMember();
  const [result, setResult] = useState<IssuedInvitation | null>(null);
  const form = useForm<InviteMemberBody>({ resolver: zodResolver(inviteMemberBody), defaultValues: { email: "", role: "staff" } });

  function close(next: boolean) {
    if (!next) {
      setResult(null);
      form.reset();
    }
    onOpenChange(next);
  }

  const onSubmit = form.handleSubmit((values) =>
    invite.mutate(values, {
      onSuccess: (r) => {
        setResult(r);
        toast.success(`Invited ${r.invitation.email}`);
      },
      onError: (e) => toast.error(errorMessage(e)),
    }),
  );

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{result ? "Invitation created" : "Invite member"}</DialogTitle>
          <DialogDescription>
            {result
              ? `${result.invitation.email} joins as ${result.invitation.role} once they accept.`
              : "They get a one-time link to accept; they join once they do. It is emailed when this tenant has an active email config."}
          </DialogDescription>
        </DialogHeader>
        {result ? (
          <>
            <IssuedLink issued={result} />
            <DialogFooter>
              <Button onClick={() => close(false)}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <Form {...form}>
            <form onSubmit={onSubmit} className="grid gap-4" noValidate>
              <FormField
                control={form.control}
                name="email"
                render={({ field }) => (
                  <FormItem controlId="invite-email">
                    <FormLabel>Email</FormLabel>
                    <FormControl>
                      <Input type="email" autoComplete="off" placeholder="e.g. ada@example.org" {...field} />
                    </FormControl>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <FormField
                control={form.control}
                name="role"
                render={({ field }) => (
                  <FormItem>
                    <FormLabel>Role</FormLabel>
                    <Select value={field.value} onValueChange={field.onChange}>
                      <FormControl>
                        <SelectTrigger className="w-40">
                          <SelectValue />
                        </SelectTrigger>
                      </FormControl>
                      <SelectContent>
                        {roles.map((r) => (
                          <SelectItem key={r} value={r}>
                            {r}
                          </SelectItem>
                        ))}
                      </SelectContent>
                    </Select>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <DialogFooter>
                <Button type="button" variant="outline" onClick={() => close(false)}>
                  Cancel
                </Button>
                <Button type="submit" disabled={invite.isPending}>
                  Invite
                </Button>
              </DialogFooter>
            </form>
          </Form>
        )}
      </DialogContent>
    </Dialog>
  );
}
