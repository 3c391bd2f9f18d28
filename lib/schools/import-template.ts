// The CSV template offered beside the school import: every column the import reads, and one
// example row per allowed `type`, so the file itself lists the values the import accepts.
import { csvRow } from "@/lib/csv";
import { schoolTypeLabels, schoolTypes } from "@/lib/validations/schools";
import { schoolImportColumns } from "./import";

const example: Record<string, string> = {
  city: "İstanbul",
  district: "Kadıköy",
  address: "Example Cd. 1",
  latitude: "40.99",
  longitude: "29.03",
  phone: "+902160000000",
  email: "info@school.example",
  website: "https://school.example",
  tags: "example;delete-this-row",
  is_public: "true",
};

export function schoolImportTemplate(): string {
  const rows = schoolTypes.map((type, i) =>
    schoolImportColumns.map((c) => (c === "name" ? `Example ${schoolTypeLabels[type]}` : c === "type" ? type : c === "slug" ? `example-${i + 1}` : (example[c] ?? ""))),
  );
  return [csvRow(schoolImportColumns), ...rows.map(csvRow)].join("");
}
