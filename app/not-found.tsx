import Link from "next/link";
import { Button } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="grid min-h-svh place-items-center p-6 text-center">
      <div className="grid gap-3">
        <h1 className="text-2xl font-semibold">Page not found</h1>
        <p className="text-muted-foreground">The page you asked for does not exist or you have no access to it.</p>
        <Button asChild className="justify-self-center">
          <Link href="/">Back to Herald</Link>
        </Button>
      </div>
    </main>
  );
}
