"use client";

import Link from "next/link";
import { Globe, Mail, MapPin, Pencil, Phone, PhoneIncoming, Trash2 } from "lucide-react";
import { useState } from "react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Separator } from "@/components/ui/separator";
import { Sheet, SheetContent, SheetDescription, SheetFooter, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { useReturnFocus } from "@/components/ui/return-focus";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { errorMessage } from "@/lib/hooks/api-client";
import { useDeleteSchool, useSchool } from "@/lib/hooks/use-schools";
import { schoolTypeLabels } from "@/lib/validations/schools";
import { SchoolFormDialog } from "./school-form-dialog";

export function SchoolDetailSheet({ id, onClose, canWrite }: { id: string | null; onClose: () => void; canWrite: boolean }) {
  const returnFocus = useReturnFocus(id);
  const school = useSchool(id);
  const remove = useDeleteSchool();
  const [editing, setEditing] = useState(false);
  const s = school.data;

  return (
    <Sheet open={id !== null} onOpenChange={(o) => !o && onClose()}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-md" onCloseAutoFocus={returnFocus}>
        {school.isPending ? (
          <div className="grid gap-3 p-4">
            <Skeleton className="h-6 w-2/3" />
            <Skeleton className="h-32 w-full" />
          </div>
        ) : school.isError ? (
          <SheetHeader>
            <SheetTitle>School unavailable</SheetTitle>
            <SheetDescription>{errorMessage(school.error)}</SheetDescription>
          </SheetHeader>
        ) : s ? (
          <>
            <SheetHeader>
              <SheetTitle>{s.name}</SheetTitle>
              <SheetDescription className="flex flex-wrap items-center gap-2">
                <Badge variant="outline">{schoolTypeLabels[s.type]}</Badge>
                <Badge variant={s.is_public ? "success" : "secondary"}>{s.is_public ? "Public" : "Private"}</Badge>
                <span className="font-mono text-xs">{s.slug}</span>
              </SheetDescription>
            </SheetHeader>
            <div className="grid gap-4 px-4 text-sm">
              <Detail icon={MapPin} label="Location">
                {[s.address, s.district, s.city].filter(Boolean).join(", ")}
                {s.latitude !== null && s.longitude !== null ? (
                  <span className="block text-xs text-muted-foreground">
                    {s.latitude.toFixed(5)}, {s.longitude.toFixed(5)}
                  </span>
                ) : null}
              </Detail>
              <Detail icon={Phone} label="Phone">
                {s.phone ? <a href={`tel:${s.phone.replace(/\s/g, "")}`}>{s.phone}</a> : <Muted>Not set</Muted>}
              </Detail>
              <Detail icon={Mail} label="Email">
                {s.email ? <a href={`mailto:${s.email}`}>{s.email}</a> : <Muted>Not set</Muted>}
              </Detail>
              <Detail icon={Globe} label="Website">
                {s.website ? (
                  <a href={s.website} target="_blank" rel="noreferrer noopener" className="underline-offset-2 hover:underline">
                    {s.website}
                  </a>
                ) : (
                  <Muted>Not set</Muted>
                )}
              </Detail>
              {s.tags.length > 0 ? (
                <div className="flex flex-wrap gap-1">
                  {s.tags.map((t) => (
                    <Badge key={t} variant="outline">
                      {t}
                    </Badge>
                  ))}
                </div>
              ) : null}
              <Separator />
              <Detail icon={PhoneIncoming} label="Inbound number">
                {s.inbound_number ? (
                  <>
                    <span className="font-mono">{s.inbound_number.number}</span>
                    <Link href={`/calls?school=${s.id}`} className="block text-primary underline-offset-2 hover:underline">
                      View this school&apos;s call log
                    </Link>
                  </>
                ) : (
                  <Muted>No number from the call pool is assigned to this school.</Muted>
                )}
              </Detail>
            </div>
            {canWrite ? (
              <SheetFooter className="flex-row justify-end">
                <Button variant="outline" onClick={() => setEditing(true)}>
                  <Pencil aria-hidden /> Edit
                </Button>
                <AlertDialog>
                  <AlertDialogTrigger asChild>
                    <Button variant="destructive">
                      <Trash2 aria-hidden /> Delete
                    </Button>
                  </AlertDialogTrigger>
                  <AlertDialogContent>
                    <AlertDialogHeader>
                      <AlertDialogTitle>Delete “{s.name}”?</AlertDialogTitle>
                      <AlertDialogDescription>
                        The school leaves the directory and the search index. An inbound number assigned to it is kept but unassigned.
                      </AlertDialogDescription>
                    </AlertDialogHeader>
                    <AlertDialogFooter>
                      <AlertDialogCancel>Cancel</AlertDialogCancel>
                      <AlertDialogAction
                        variant="destructive"
                        onClick={() =>
                          remove.mutate(s.id, {
                            onSuccess: () => {
                              toast.success(`Deleted ${s.name}`);
                              onClose();
                            },
                            onError: (e) => toast.error(errorMessage(e)),
                          })
                        }
                      >
                        Delete school
                      </AlertDialogAction>
                    </AlertDialogFooter>
                  </AlertDialogContent>
                </AlertDialog>
              </SheetFooter>
            ) : null}
            {canWrite ? <SchoolFormDialog open={editing} onOpenChange={setEditing} school={s} /> : null}
          </>
        ) : null}
      </SheetContent>
    </Sheet>
  );
}

function Detail({ icon: Icon, label, children }: { icon: typeof MapPin; label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[1.25rem_1fr] gap-2">
      <Icon aria-hidden className="mt-0.5 size-4 text-muted-foreground" />
      <div>
        <div className="text-xs font-medium text-muted-foreground">{label}</div>
        <div>{children}</div>
      </div>
    </div>
  );
}

function Muted({ children }: { children: React.ReactNode }) {
  return <span className="text-muted-foreground">{children}</span>;
}
