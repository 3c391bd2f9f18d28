"use client";

import * as React from "react";
import Link from "next/link";
import { ChevronLeft, ChevronRight } from "lucide-react";

import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";

/** A page to go to: an href (page or cursor in the URL) or a handler (cursor in client state). */
type PageTarget = string | (() => void);

type PaginationProps = React.ComponentProps<"nav"> & {
  /** Omit or pass null when there is no previous page. */
  previous?: PageTarget | null;
  /** Omit or pass null when there is no next page. */
  next?: PageTarget | null;
  /** Short status text, e.g. "Page 2" or "51–100 of 340". */
  summary?: React.ReactNode;
  /** Disables both controls, e.g. while the next page is loading. */
  pending?: boolean;
};

function PageButton({
  target,
  pending,
  rel,
  children,
}: {
  target: PageTarget | null | undefined;
  pending: boolean;
  rel: "prev" | "next";
  children: React.ReactNode;
}) {
  if (typeof target === "string" && !pending) {
    return (
      <Button asChild variant="outline" size="sm">
        <Link href={target} rel={rel}>
          {children}
        </Link>
      </Button>
    );
  }
  return (
    <Button
      variant="outline"
      size="sm"
      disabled={!target || pending}
      onClick={typeof target === "function" ? target : undefined}
    >
      {children}
    </Button>
  );
}

/** Previous/next pagination that works with page numbers or opaque cursors. */
function Pagination({
  previous,
  next,
  summary,
  pending = false,
  className,
  ...props
}: PaginationProps) {
  return (
    <nav
      aria-label="Pagination"
      data-slot="pagination"
      className={cn("flex items-center justify-between gap-4 py-3", className)}
      {...props}
    >
      <div className="text-sm text-muted-foreground" aria-live="polite">
        {summary}
      </div>
      <div className="flex items-center gap-2">
        <PageButton target={previous} pending={pending} rel="prev">
          <ChevronLeft aria-hidden />
          Previous
        </PageButton>
        <PageButton target={next} pending={pending} rel="next">
          Next
          <ChevronRight aria-hidden />
        </PageButton>
      </div>
    </nav>
  );
}

/**
 * Client-side cursor history for APIs that only return a `nextCursor`: remembers the cursors
 * already visited so "Previous" can go back without the server supporting reverse paging.
 */
function useCursorPagination(initialCursor: string | null = null) {
  const [stack, setStack] = React.useState<(string | null)[]>([initialCursor]);
  const cursor = stack[stack.length - 1] ?? null;

  const goNext = React.useCallback((nextCursor: string) => {
    setStack((s) => [...s, nextCursor]);
  }, []);
  const goPrevious = React.useCallback(() => {
    setStack((s) => (s.length > 1 ? s.slice(0, -1) : s));
  }, []);
  const reset = React.useCallback(() => setStack([initialCursor]), [initialCursor]);

  return { cursor, page: stack.length, hasPrevious: stack.length > 1, goNext, goPrevious, reset };
}

export { Pagination, useCursorPagination, type PageTarget, type PaginationProps };
