"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { CircleAlert } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { apiFetch, errorMessage } from "@/lib/hooks/api-client";
import { formatDateTime } from "@/lib/format";

const newAccountSchema = z
  .object({
    name: z.string().trim().max(200, "Keep the name under 200 characters"),
    password: z.string().min(12, "Use at least 12 characters").max(1024, "That password is too long"),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords do not match" });
type NewAccountValues = z.infer<typeof newAccountSchema>;

const acceptPath = (token: string) => `/api/invitations/${encodeURIComponent(token)}/accept`;

function ErrorNote({ message }: { message: string }) {
  return (
    <div role="alert" className="flex items-start gap-2 rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2.5 text-sm text-destructive">
      <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
      <span>{message}</span>
    </div>
  );
}

export function AcceptInvitation(props: { token: string; email: string; tenantName: string; expiresAt: string; signedInEmail: string | null }) {
  const { token, email, tenantName, expiresAt, signedInEmail } = props;
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useForm<NewAccountValues>({ resolver: zodResolver(newAccountSchema), defaultValues: { name: "", password: "", confirm: "" } });
  const here = `/invite/${encodeURIComponent(token)}`;

  async function acceptSignedIn() {
    setError(null);
    setBusy(true);
    try {
      await apiFetch(acceptPath(token), { method: "POST", body: {} });
      router.push("/");
      router.refresh();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  const createAccount = form.handleSubmit(async (values) => {
    setError(null);
    setBusy(true);
    try {
      await apiFetch(acceptPath(token), { method: "POST", body: { password: values.password, ...(values.name ? { name: values.name } : {}) } });
      const signedIn = await signIn("credentials", { email, password: values.password, redirect: false });
      router.push(signedIn?.ok ? "/" : "/sign-in");
      router.refresh();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  });

  const expiry = <p className="text-xs text-muted-foreground">The link works once, until {formatDateTime(expiresAt)}.</p>;

  if (signedInEmail === email) {
    return (
      <div className="grid gap-4">
        {error ? <ErrorNote message={error} /> : null}
        <Button onClick={acceptSignedIn} disabled={busy}>
          {busy ? "Joining…" : `Accept and join ${tenantName}`}
        </Button>
        {expiry}
      </div>
    );
  }
  if (signedInEmail) {
    return (
      <div className="grid gap-4 text-sm">
        <p>
          You are signed in as <span className="font-medium break-all">{signedInEmail}</span>, but this invitation is for{" "}
          <span className="font-medium break-all">{email}</span>.
        </p>
        <Button asChild variant="outline">
          <Link href="/sign-out">Sign out, then open this link again</Link>
        </Button>
      </div>
    );
  }
  return (
    <div className="grid gap-6">
      {error ? <ErrorNote message={error} /> : null}
      <div className="grid gap-2 text-sm">
        <p>Already have a Herald account with {email}?</p>
        <Button asChild>
          <Link href={`/sign-in?callbackUrl=${encodeURIComponent(here)}`}>Sign in to accept</Link>
        </Button>
      </div>
      <Form {...form}>
        <form onSubmit={createAccount} noValidate className="grid gap-4 border-t pt-4">
          <p className="text-sm">New to Herald? Choose a password for {email}.</p>
          <FormField
            control={form.control}
            name="name"
            render={({ field }) => (
              <FormItem controlId="invite-name">
                <FormLabel>Your name (optional)</FormLabel>
                <FormControl>
                  <Input autoComplete="name" placeholder="e.g. Ada Lovelace" {...field} />
                </FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="password"
            render={({ field }) => (
              <FormItem controlId="invite-password">
                <FormLabel>Password</FormLabel>
                <FormControl>
                  <Input type="password" autoComplete="new-password" {...field} />
                </FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="confirm"
            render={({ field }) => (
              <FormItem controlId="invite-confirm">
                <FormLabel>Repeat the password</FormLabel>
                <FormControl>
                  <Input type="password" autoComplete="new-password" {...field} />
                </FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
          <Button type="submit" variant="secondary" disabled={busy}>
            {busy ? "Creating…" : `Create account and join ${tenantName}`}
          </Button>
        </form>
      </Form>
      {expiry}
    </div>
  );
}
