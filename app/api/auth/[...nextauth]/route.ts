import NextAuth from "next-auth";
import { guardAuthRequests } from "@/lib/auth/form-post-guard";
import { authOptions } from "@/lib/auth/next-auth";

const handler = guardAuthRequests(NextAuth(authOptions));
export { handler as GET, handler as POST };
