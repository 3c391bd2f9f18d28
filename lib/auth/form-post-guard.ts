import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { readBodyText } from "@/lib/api/read-json";
import { findUnsafeText } from "@/lib/validations/json-safety";

const FORM_LIMIT = 16 * 1024;

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string[]>> }) => Promise<Response>;

/**
 * next-auth parses a POST body itself and answers 500 when it isn't what its own forms send (a
 * JSON body, an empty body, invalid JSON). Its forms post `application/x-www-form-urlencoded`:
 * anything else is a 400 here, and the checked body is handed on unchanged.
 */
export function guardAuthRequests(handler: Handler): Handler {
  return async (req, ctx) => {
    const requestId = randomUUID();
    if (req.method !== "POST") {
      // next-auth answers a GET on a credentials callback with a 500 ("not supported"): it's a form target only.
      if (/\/callback\/credentials\/?$/.test(req.nextUrl.pathname)) {
        return errorResponse(new ApiError({ code: "method_not_allowed", message: "Sign in by posting the form", headers: { Allow: "POST" } }), requestId);
      }
      return handler(req, ctx);
    }
    try {
      const type = req.headers.get("content-type") ?? "";
      if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
        throw new ApiError({ code: "bad_request", message: "Sign-in endpoints accept application/x-www-form-urlencoded forms only" });
      }
      const text = await readBodyText(req, FORM_LIMIT);
      if (text.trim() === "") throw new ApiError({ code: "bad_request", message: "The form is empty" });
      for (const [name, value] of new URLSearchParams(text)) {
        const problem = findUnsafeText(name) ?? findUnsafeText(value);
        if (problem) throw new ApiError({ code: "bad_request", message: "The form is invalid", details: [{ path: name, message: problem }] });
      }
      const forwarded = new NextRequest(req.url, { method: "POST", headers: req.headers, body: text });
      return await handler(forwarded, ctx);
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}
