import { toInngestFunction } from "./bind";
import { workflows } from "./workflows";

export { inngest } from "./client";
export { workflows };

/** The Inngest functions served at /api/inngest. */
export const functions = workflows.map(toInngestFunction);
