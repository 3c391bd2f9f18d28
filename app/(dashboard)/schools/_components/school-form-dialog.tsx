"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect } from "react";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { toast } from "@/components/ui/toaster";
import { ApiClientError, errorMessage } from "@/lib/hooks/api-client";
import { useCreateSchool, useUpdateSchool } from "@/lib/hooks/use-schools";
import { createSchoolBody, schoolTypeLabels, schoolTypes, type CreateSchoolBody, type SchoolOut } from "@/lib/validations/schools";

/** What the inputs hold; the shared API schema turns it into the request body. */
interface FormValues {
  name: string;
  slug: string;
  type: CreateSchoolBody["type"];
  city: string;
  district: string;
  address: string;
  latitude: string;
  longitude: string;
  phone: string;
  email: string;
  website: string;
  tags: string;
  is_public: boolean;
}

function toFormValues(s: SchoolOut | null): FormValues {
  return {
    name: s?.name ?? "",
    slug: s?.slug ?? "",
    type: s?.type ?? "primary",
    city: s?.city ?? "",
    district: s?.district ?? "",
    address: s?.address ?? "",
    latitude: s?.latitude?.toString() ?? "",
    longitude: s?.longitude?.toString() ?? "",
    phone: s?.phone ?? "",
    email: s?.email ?? "",
    website: s?.website ?? "",
    tags: s?.tags.join(", ") ?? "",
    is_public: s?.is_public ?? true,
  };
}

const textFields: { name: keyof FormValues; label: string; placeholder?: string; description?: string }[] = [
  { name: "city", label: "City", placeholder: "e.g. İstanbul" },
  { name: "district", label: "District", placeholder: "e.g. Kadıköy" },
  { name: "address", label: "Address" },
  { name: "latitude", label: "Latitude", placeholder: "e.g. 40.9903" },
  { name: "longitude", label: "Longitude", placeholder: "e.g. 29.0286" },
  { name: "phone", label: "Phone", placeholder: "e.g. +90 216 000 00 00" },
  { name: "email", label: "Email" },
  { name: "website", label: "Website", placeholder: "e.g. https://school.example" },
  { name: "tags", label: "Tags", description: "Comma-separated" },
];

export function SchoolFormDialog({ open, onOpenChange, school }: { open: boolean; onOpenChange: (o: boolean) => void; school: SchoolOut | null }) {
  const create = useCreateSchool();
  const update = useUpdateSchool(school?.id ?? "");
  const form = useForm<FormValues, unknown, CreateSchoolBody>({
    resolver: zodResolver(createSchoolBody as never) as never,
    defaultValues: toFormValues(school),
  });
  useEffect(() => {
    if (open) form.reset(toFormValues(school));
  }, [open, school, form]);

  const onSubmit = form.handleSubmit(async (body) => {
    try {
      if (school) await update.mutateAsync(body);
      else await create.mutateAsync(body);
      toast.success(school ? `Saved ${body.name}` : `Added ${body.name}`);
      onOpenChange(false);
    } catch (err) {
      // Field errors from the server (e.g. a taken slug) land on their inputs.
      if (err instanceof ApiClientError && Array.isArray(err.details)) {
        for (const d of err.details as { path?: string; message: string }[]) {
          if (d.path && d.path in form.getValues()) form.setError(d.path as keyof FormValues, { message: d.message });
        }
      }
      toast.error(errorMessage(err));
    }
  });

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>{school ? `Edit ${school.name}` : "Add a school"}</DialogTitle>
          <DialogDescription>Phone and email are shown to your team and API keys only; everything else appears in the public directory when the school is public.</DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form onSubmit={onSubmit} className="grid gap-4 sm:grid-cols-2" noValidate>
            <FormField
              control={form.control}
              name="name"
              render={({ field }) => (
                <FormItem className="sm:col-span-2">
                  <FormLabel>Name</FormLabel>
                  <FormControl>
                    <Input {...field} placeholder="e.g. Kadıköy Anadolu Lisesi" />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
            <FormField
              control={form.control}
              name="type"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Type</FormLabel>
                  <Select value={field.value} onValueChange={field.onChange}>
                    <FormControl>
                      <SelectTrigger>
                        <SelectValue />
                      </SelectTrigger>
                    </FormControl>
                    <SelectContent>
                      {schoolTypes.map((t) => (
                        <SelectItem key={t} value={t}>
                          {schoolTypeLabels[t]}
                        </SelectItem>
                      ))}
                    </SelectContent>
                  </Select>
                  <FormMessage />
                </FormItem>
              )}
            />
            <FormField
              control={form.control}
              name="slug"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Slug</FormLabel>
                  <FormControl>
                    <Input {...field} placeholder="Left empty: made from the name and city" />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
            {textFields.map((f) => (
              <FormField
                key={f.name}
                control={form.control}
                name={f.name}
                render={({ field }) => (
                  <FormItem className={f.name === "address" ? "sm:col-span-2" : undefined}>
                    <FormLabel>{f.label}</FormLabel>
                    <FormControl>
                      <Input {...field} value={String(field.value ?? "")} placeholder={f.placeholder} />
                    </FormControl>
                    {f.description ? <FormDescription>{f.description}</FormDescription> : null}
                    <FormMessage />
                  </FormItem>
                )}
              />
            ))}
            <FormField
              control={form.control}
              name="is_public"
              render={({ field }) => (
                <FormItem className="flex items-center gap-3 sm:col-span-2">
                  <FormControl>
                    <Switch checked={field.value} onCheckedChange={field.onChange} />
                  </FormControl>
                  <FormLabel className="!mt-0">Listed in the public directory</FormLabel>
                </FormItem>
              )}
            />
            <DialogFooter className="sm:col-span-2">
              <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={form.formState.isSubmitting}>
                {school ? "Save changes" : "Add school"}
              </Button>
            </DialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}
