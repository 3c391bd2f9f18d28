import { describe, expect, it } from "vitest";
import { schoolTypes } from "@/lib/validations/schools";
import { parseCsv } from "./csv";
import { schoolImportTemplate } from "./import-template";

describe("school import template", () => {
  it("names every column and gives one example row per allowed type", () => {
    const { records } = parseCsv(schoolImportTemplate());
    const [header, ...rows] = records;
    expect(header!.fields.slice(0, 4)).toEqual(["name", "slug", "type", "city"]);
    const typeAt = header!.fields.indexOf("type");
    expect(rows.map((r) => r.fields[typeAt])).toEqual([...schoolTypes]);
  });
});
