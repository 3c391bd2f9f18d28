import { serve } from "inngest/next";
import { functions, inngest } from "@/inngest";

// Inngest calls this endpoint to run Herald's workflows when an Inngest server is configured.
export const { GET, POST, PUT } = serve({ client: inngest, functions });
