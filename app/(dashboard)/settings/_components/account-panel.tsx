"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toaster";
import { changePasswordBody } from "@/lib/validations/members";
import { changePasswordAction } from "../actions";

type Values = z.input<typeof changePasswordBody>;

export function AccountPanel({ email }: { email: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const form = useForm<Values>({ resolver: zodResolver(changePasswordBody), defaultValues: { current_password: "", new_password: "" } });

  const onSubmit = form.handleSubmit((values) =>
    startTransition(async () => {
      const result = await changePasswordAction(values);
      if (result.ok) {
        toast.success("Password changed");
        form.reset();
        router.refresh();
        return;
      }
      for (const d of (result.error.details as { path?: string; message: string }[] | undefined) ?? []) {
        if (d.path === "current_password" || d.path === "new_password") form.setError(d.path, { message: d.message });
      }
      toast.error(result.error.message);
    }),
  );

  return (
    <Card>
      <CardHeader>
        <CardTitle>Your account</CardTitle>
        <CardDescription>Signed in as {email}.</CardDescription>
      </CardHeader>
      <CardContent>
        <Form {...form}>
          <form onSubmit={onSubmit} className="grid max-w-sm gap-4" noValidate>
            <FormField
              control={form.control}
              name="current_password"
              render={({ field }) => (
                <FormItem controlId="current-password">
                  <FormLabel>Current password</FormLabel>
                  <FormControl>
                    <Input type="password" autoComplete="current-password" {...field} />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
            <FormField
              control={form.control}
              name="new_password"
              render={({ field }) => (
                <FormItem controlId="new-password">
                  <FormLabel>New password</FormLabel>
                  <FormControl>
                    <Input type="password" autoComplete="new-password" {...field} />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
            <Button type="submit" disabled={pending} className="justify-self-start">
              Change password
            </Button>
          </form>
        </Form>
      </CardContent>
    </Card>
  );
}
