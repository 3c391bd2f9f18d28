"use client";

import * as React from "react";
import { ThemeProvider } from "next-themes";
import { isServer, QueryClient, QueryClientProvider } from "@tanstack/react-query";

import { ConfirmProvider } from "@/components/ui/confirm-dialog";
import { Toaster } from "@/components/ui/toaster";
// Human validation messages for every zod schema the browser runs (forms, resolvers).
import "@/lib/validations/error-map";

const MAX_RETRIES = 2;

/** Reads an HTTP status from whatever the fetch layer threw (`status` or `response.status`). */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate =
    "status" in error
      ? error.status
      : "response" in error && typeof error.response === "object" && error.response !== null
        ? (error.response as { status?: unknown }).status
        : undefined;
  return typeof candidate === "number" ? candidate : undefined;
}

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx will not fix itself on retry (bad input, no permission, not found); a 5xx or a
        // network blip might.
        retry: (failureCount, error) => {
          const status = statusOf(error);
          if (status !== undefined && status >= 400 && status < 500) return false;
          return failureCount < MAX_RETRIES;
        },
      },
      mutations: { retry: false },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

/** One client per browser session; a fresh one per server render so users never share a cache. */
function getQueryClient() {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

export function Providers({ children }: { children: React.ReactNode }) {
  const queryClient = getQueryClient();
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange>
      <QueryClientProvider client={queryClient}>
        <ConfirmProvider>{children}</ConfirmProvider>
        <Toaster />
      </QueryClientProvider>
    </ThemeProvider>
  );
}
