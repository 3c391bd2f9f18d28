"use client";

import { useCallback, useEffect, useRef } from "react";

/**
 * For a drawer opened from a list row: when it closes, focus goes back to the row it showed
 * (`data-row-id`), also when it was opened by a link and the row never had focus. Pass the
 * result as the sheet's `onCloseAutoFocus`.
 */
export function useReturnFocus(id: string | null) {
  const last = useRef<string | null>(id);
  useEffect(() => {
    if (id !== null) last.current = id;
  }, [id]);
  return useCallback((event: Event) => {
    const rowId = last.current;
    if (!rowId) return;
    const row = document.querySelector<HTMLElement>(`[data-row-id="${CSS.escape(rowId)}"]`);
    if (row) {
      event.preventDefault();
      row.focus();
    }
  }, []);
}
