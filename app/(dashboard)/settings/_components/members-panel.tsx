"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { UserPlus } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
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
import { useChangeRole, useInviteMember, useMembers, useRemoveMember, type MemberItem } from "@/lib/hooks/use-members";
import { formatDateTime } from "@/lib/format";
import { inviteMemberBody, type InviteMemberBody } from "@/lib/validations/members";

const roleOptions: MemberItem["role"][] = ["owner", "admin", "staff", "viewer"];

export function MembersPanel({ myRole, myUserId }: { myRole: MemberItem["role"]; myUserId: string }) {
  const members = useMembers();
  const changeRole = useChangeRole();
  const remove = useRemoveMember();
  const [inviting, setInviting] = useState(false);
  const canManage = myRole === "owner" || myRole === "admin";
  // Only owners hand out (or take away) ownership; the server enforces the same rule.
  const grantable = myRole === "owner" ? roleOptions : roleOptions.filter((r) => r !== "owner");

  return (
    <Card>
      <CardHeader>
        <CardTitle>Members</CardTitle>
        <CardDescription>People who can sign in to this tenant and what they may do.</CardDescription>
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
              {members.data.map((m) => {
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
                          onValueChange={(role) =>
                            changeRole.mutate(
                              { userId: m.user_id, role: role as MemberItem["role"] },
                              {
                                onSuccess: () => toast.success(`${m.email} is now ${role}`),
                                onError: (e) => toast.error(errorMessage(e)),
                              },
                            )
                          }
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
                    <TableCell>{formatDateTime(m.joined_at)}</TableCell>
                    <TableCell>{m.last_sign_in_at ? formatDateTime(m.last_sign_in_at) : "never"}</TableCell>
                    <TableCell className="text-right">
                      {editable ? (
                        <Button
                          variant="ghost"
                          size="sm"
                          onClick={() =>
                            remove.mutate(m.user_id, {
                              onSuccess: () => toast.success(`Removed ${m.email}`),
                              onError: (e) => toast.error(errorMessage(e)),
                            })
                          }
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
      </CardContent>
      {canManage ? <InviteDialog open={inviting} onOpenChange={setInviting} roles={grantable} /> : null}
    </Card>
  );
}

function InviteDialog({ open, onOpenChange, roles }: { open: boolean; onOpenChange: (o: boolean) => void; roles: MemberItem["role"][] }) {
  const invite = useInviteMember();
  const [result, setResult] = useState<{ email: string; password: string | null } | null>(null);
  const form = useForm<InviteMemberBody>({ resolver: zodResolver(inviteMemberBody), defaultValues: { email: "", name: "", role: "staff" } });

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
        setResult({ email: r.email, password: r.one_time_password });
        toast.success(`Added ${r.email}`);
      },
      onError: (e) => toast.error(errorMessage(e)),
    }),
  );

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{result ? "Member added" : "Invite member"}</DialogTitle>
          <DialogDescription>
            {result
              ? result.password
                ? `Give ${result.email} this one-time password. They will be asked to choose their own.`
                : `${result.email} already had an account and can sign in with it.`
              : "A new account gets a one-time password, shown once."}
          </DialogDescription>
        </DialogHeader>
        {result ? (
          <>
            {result.password ? <SecretReveal value={result.password} label="One-time password" /> : null}
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
                      <Input type="email" autoComplete="off" {...field} />
                    </FormControl>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <FormField
                control={form.control}
                name="name"
                render={({ field }) => (
                  <FormItem controlId="invite-name">
                    <FormLabel>Name (optional)</FormLabel>
                    <FormControl>
                      <Input autoComplete="off" {...field} value={field.value ?? ""} />
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
