"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { signIn, type SignInResponse } from "next-auth/react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { CircleAlert, LoaderCircle } from "lucide-react";
import { z } from "zod";

import { Button } from "@/components/ui/button";
import {
  Form,
  FormControl,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from "@/components/ui/form";
import { Input } from "@/components/ui/input";

const signInSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, "Enter your email address")
    .pipe(z.email("Enter a valid email address")),
  password: z.string().min(1, "Enter your password"),
});

type SignInValues = z.input<typeof signInSchema>;

const RATE_LIMITED = /^RATE_LIMITED:(\d+)/;

/** Turns a next-auth error code (from `signIn` or the `?error=` query) into a sentence. */
function describeSignInError(code: string): string {
  const limited = RATE_LIMITED.exec(code);
  if (limited) {
    const seconds = Number(limited[1]);
    return `Too many attempts. Try again in ${seconds} ${seconds === 1 ? "second" : "seconds"}.`;
  }
  switch (code) {
    case "CredentialsSignin":
      return "Invalid email or password";
    case "SessionRequired":
      return "Please sign in to continue.";
    default:
      return "Something went wrong while signing in. Please try again.";
  }
}

/**
 * Only same-origin destinations are followed after sign-in, so a crafted link cannot bounce a
 * freshly signed-in user to another site.
 */
function safeCallbackPath(raw: string | undefined): string {
  if (!raw) return "/";
  try {
    const url = new URL(raw, window.location.origin);
    if (url.origin !== window.location.origin) return "/";
    const path = `${url.pathname}${url.search}${url.hash}`;
    return path.startsWith("/sign-in") ? "/" : path;
  } catch {
    return "/";
  }
}

type SignInFormProps = {
  callbackUrl?: string;
  /** An `error` code from the URL, set when next-auth redirected back here. */
  initialError?: string;
};

export function SignInForm({ callbackUrl, initialError }: SignInFormProps) {
  const router = useRouter();
  const [formError, setFormError] = React.useState<string | null>(
    initialError ? describeSignInError(initialError) : null,
  );
  // Stays true after a successful sign-in until the next page replaces this one.
  const [redirecting, setRedirecting] = React.useState(false);

  const form = useForm<SignInValues>({
    resolver: zodResolver(signInSchema),
    defaultValues: { email: "", password: "" },
  });

  async function onSubmit(values: SignInValues) {
    setFormError(null);
    let result: SignInResponse | undefined;
    try {
      result = await signIn<"credentials">("credentials", {
        email: values.email.trim(),
        password: values.password,
        redirect: false,
      });
    } catch {
      setFormError("Couldn't reach the server. Check your connection and try again.");
      return;
    }

    if (!result || result.error || !result.ok) {
      setFormError(describeSignInError(result?.error ?? ""));
      if (result?.error === "CredentialsSignin") {
        form.resetField("password");
        form.setFocus("password");
      }
      return;
    }

    setRedirecting(true);
    router.push(safeCallbackPath(callbackUrl));
    router.refresh();
  }

  const busy = form.formState.isSubmitting || redirecting;

  return (
    <Form {...form}>
      <form onSubmit={form.handleSubmit(onSubmit)} noValidate className="grid gap-4">
        {formError && (
          <div
            role="alert"
            data-testid="sign-in-error"
            className="flex items-start gap-2 rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2.5 text-sm text-destructive"
          >
            <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
            <span>{formError}</span>
          </div>
        )}

        <FormField
          control={form.control}
          name="email"
          render={({ field }) => (
            <FormItem controlId="email">
              <FormLabel>Email</FormLabel>
              <FormControl>
                <Input
                  type="email"
                  autoComplete="username"
                  inputMode="email"
                  autoCapitalize="none"
                  spellCheck={false}
                  autoFocus
                  disabled={busy}
                  {...field}
                />
              </FormControl>
              <FormMessage />
            </FormItem>
          )}
        />

        <FormField
          control={form.control}
          name="password"
          render={({ field }) => (
            <FormItem controlId="password">
              <FormLabel>Password</FormLabel>
              <FormControl>
                <Input type="password" autoComplete="current-password" disabled={busy} {...field} />
              </FormControl>
              <FormMessage />
            </FormItem>
          )}
        />

        <Button type="submit" className="mt-2 w-full" disabled={busy}>
          {busy && <LoaderCircle aria-hidden className="animate-spin" />}
          Sign in
        </Button>
      </form>
    </Form>
  );
}
