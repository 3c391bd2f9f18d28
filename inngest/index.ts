import { toInngestFunction } from "./bind";
import { workflows } from "./workflows";

export { inngest } from "@/lib/jobs/inngest-client";
export { workflows };

/** The Inngest functions served at /api/inngest. */
export const functions = workflows.map(toInngestFunction);
