import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { signInWithPassword } from "./sign-in";

const credentialsSchema = z.object({ email: z.string().trim().email().max(320), password: z.string().min(1).max(1024) });

/** The client address as set by Herald's server (see lib/server/http-server.ts), never a client-supplied header. */
export function clientIp(headers: Record<string, unknown> | Headers | undefined): string {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers?.[name] as string | undefined);
  return get("x-herald-client-ip") ?? "unknown";
}

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/sign-in" },
  secret: process.env.NEXTAUTH_SECRET,
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const parsed = credentialsSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const result = await signInWithPassword({ ...parsed.data, ip: clientIp(req?.headers) });
        if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name };
        // next-auth hands an error's message to the sign-in page; the page reads the seconds from it.
        if (result.reason === "rate_limited") throw new Error(`RATE_LIMITED:${result.retryAfterSeconds}`);
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.uid = user.id;
      return token;
    },
    session({ session, token }) {
      if (session.user && typeof token.uid === "string") (session.user as { id?: string }).id = token.uid;
      return session;
    },
  },
};
