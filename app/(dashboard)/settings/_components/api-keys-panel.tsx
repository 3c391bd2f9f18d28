"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
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
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { SecretReveal } from "@/components/ui/secret-reveal";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toaster";
import { scopeCatalog, type Scope } from "@/lib/auth/permissions";
import { errorMessage } from "@/lib/hooks/api-client";
import { useApiKeys, useCreateApiKey, useRevokeApiKey, type CreatedApiKey } from "@/lib/hooks/use-api-keys";
import { createApiKeyBody, type CreateApiKeyBody } from "@/lib/validations/api-keys";
import { useFormat } from "@/components/format-provider";

export function ApiKeysPanel({ canManage }: { canManage: boolean }) {
  const fmt = useFormat();
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [open, setOpen] = useState(false);

  if (!canManage) {
    return (
      <Card>
        <CardContent>
          <EmptyState icon={KeyRound} title="API keys are managed by admins" description="Ask an owner or admin of this tenant for a key." />
        </CardContent>
      </Card>
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>API keys</CardTitle>
        <CardDescription>Keys let client services call Herald with <code className="font-mono text-xs">Authorization: Bearer &lt;key&gt;</code>. A key is shown once, when it is created.</CardDescription>
        <CardAction>
          <Button onClick={() => setOpen(true)}>
            <Plus aria-hidden /> Create API key
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent>
        {keys.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : keys.isError ? (
          <p className="text-sm text-destructive">{errorMessage(keys.error)}</p>
        ) : keys.data.length === 0 ? (
          <EmptyState icon={KeyRound} title="No API keys yet" description="Create one for each client service that sends through Herald." />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Key</TableHead>
                <TableHead>Scopes</TableHead>
                <TableHead>Created</TableHead>
                <TableHead>Last used</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="sr-only">Actions</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.data.map((k) => (
                <TableRow key={k.id} data-testid={`api-key-row-${k.name}`}>
                  <TableCell className="font-medium">{k.name}</TableCell>
                  <TableCell className="font-mono text-xs">{k.prefix}…</TableCell>
                  <TableCell>
                    <div className="flex max-w-xs flex-wrap gap-1">
                      {k.scopes.map((s) => (
                        <Badge key={s} variant="outline">
                          {s}
                        </Badge>
                      ))}
                    </div>
                  </TableCell>
                  <TableCell>{fmt.dateTime(k.created_at)}</TableCell>
                  <TableCell>{k.last_used_at ? fmt.dateTime(k.last_used_at) : "never"}</TableCell>
                  <TableCell>
                    <Badge variant={k.status === "active" ? "success" : "secondary"}>{k.status}</Badge>
                  </TableCell>
                  <TableCell className="text-right">
                    {k.status === "active" ? (
                      <AlertDialog>
                        <AlertDialogTrigger asChild>
                          <Button variant="outline" size="sm">
                            Revoke
                          </Button>
                        </AlertDialogTrigger>
                        <AlertDialogContent>
                          <AlertDialogHeader>
                            <AlertDialogTitle>Revoke “{k.name}”?</AlertDialogTitle>
                            <AlertDialogDescription>
                              Requests with this key will be refused at once with 401. This cannot be undone.
                            </AlertDialogDescription>
                          </AlertDialogHeader>
                          <AlertDialogFooter>
                            <AlertDialogCancel>Cancel</AlertDialogCancel>
                            <AlertDialogAction
                              variant="destructive"
                              onClick={() =>
                                revoke.mutate(k.id, {
                                  onSuccess: () => toast.success(`Revoked ${k.name}`),
                                  onError: (e) => toast.error(errorMessage(e)),
                                })
                              }
                            >
                              Revoke key
                            </AlertDialogAction>
                          </AlertDialogFooter>
                        </AlertDialogContent>
                      </AlertDialog>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
      <CreateKeyDialog open={open} onOpenChange={setOpen} />
    </Card>
  );
}

function CreateKeyDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const create = useCreateApiKey();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const form = useForm<CreateApiKeyBody>({
    resolver: zodResolver(createApiKeyBody),
    defaultValues: { name: "", scopes: ["messages:send", "messages:read"] },
  });

  function close(next: boolean) {
    if (!next) {
      setCreated(null);
      form.reset();
    }
    onOpenChange(next);
  }

  const onSubmit = form.handleSubmit((values) =>
    create.mutate(values, {
      onSuccess: (key) => {
        setCreated(key);
        toast.success(`Created ${key.name}`);
      },
      onError: (e) => toast.error(errorMessage(e)),
    }),
  );

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>{created ? "Your new API key" : "Create API key"}</DialogTitle>
          <DialogDescription>
            {created ? "Copy the key now: Herald keeps only a hash of it." : "Give the key a name and only the scopes its service needs."}
          </DialogDescription>
        </DialogHeader>
        {created ? (
          <>
            <SecretReveal value={created.key} label="API key" />
            <DialogFooter>
              <Button onClick={() => close(false)}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <Form {...form}>
            <form onSubmit={onSubmit} className="grid gap-4" noValidate>
              <FormField
                control={form.control}
                name="name"
                render={({ field }) => (
                  <FormItem controlId="api-key-name">
                    <FormLabel>Name</FormLabel>
                    <FormControl>
                      <Input placeholder="e.g. booking-service" autoComplete="off" {...field} />
                    </FormControl>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <FormField
                control={form.control}
                name="scopes"
                render={({ field }) => (
                  <FormItem>
                    <FormLabel>Scopes</FormLabel>
                    <div className="grid max-h-64 gap-2 overflow-y-auto rounded-md border p-3">
                      {(Object.keys(scopeCatalog) as Scope[]).map((scope) => (
                        <label key={scope} className="flex items-start gap-2 text-sm">
                          <Checkbox
                            checked={field.value.includes(scope)}
                            onCheckedChange={(checked) =>
                              field.onChange(checked ? [...field.value, scope] : field.value.filter((s) => s !== scope))
                            }
                            aria-label={scope}
                          />
                          <span>
                            <span className="font-mono">{scope}</span>
                            <span className="block text-muted-foreground">{scopeCatalog[scope].description}</span>
                          </span>
                        </label>
                      ))}
                    </div>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <DialogFooter>
                <Button type="button" variant="outline" onClick={() => close(false)}>
                  Cancel
                </Button>
                <Button type="submit" disabled={create.isPending}>
                  Create key
                </Button>
              </DialogFooter>
            </form>
          </Form>
        )}
      </DialogContent>
    </Dialog>
  );
}
