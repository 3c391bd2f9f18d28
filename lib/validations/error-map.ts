// Human validation messages for every zod schema, in forms (the browser imports this from the
// app's providers) and in API answers (lib/api/errors imports it), so nobody reads
// "Too small: expected string to have >=1 characters". A schema's own message still wins.
import { z } from "zod";

const plural = (n: number | bigint, one: string, many = `${one}s`) => `${n} ${Number(n) === 1 ? one : many}`;

const typeNames: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  bigint: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  date: "a date",
};

const formats: Record<string, string> = {
  email: "Enter a valid email address, e.g. ada@example.org",
  url: "Enter a full URL, e.g. https://example.org/hook",
  uuid: "Enter a valid id (a UUID)",
  guid: "Enter a valid id (a UUID)",
  datetime: "Enter a date and time with its zone, e.g. 2026-01-31T09:00:00Z",
  date: "Enter a date, e.g. 2026-01-31",
  time: "Enter a time, e.g. 09:30",
  e164: "Enter the number in international format, e.g. +46701234567",
  ipv4: "Enter an IPv4 address, e.g. 192.0.2.1",
  ipv6: "Enter an IPv6 address",
};

type Issue = Parameters<NonNullable<z.core.$ZodConfig["customError"]>>[0];

export function humanIssueMessage(issue: Issue): string | undefined {
  const i = issue as Issue & Record<string, unknown>;
  switch (issue.code) {
    case "invalid_type": {
      if (i.input === undefined || i.input === null) return "This field is required";
      const expected = String(i.expected);
      return `Enter ${typeNames[expected] ?? expected}`;
    }
    case "too_small": {
      const min = i.minimum as number | bigint;
      const inclusive = i.inclusive !== false;
      if (i.origin === "string") return Number(min) <= 1 ? "This field is required" : `Enter at least ${plural(min, "character")}`;
      if (i.origin === "array" || i.origin === "set") return Number(min) <= 1 ? "Choose at least one" : `Choose at least ${min}`;
      if (i.origin === "date") return `Choose a date on or after ${String(min)}`;
      return inclusive ? `Must be ${min} or more` : `Must be more than ${min}`;
    }
    case "too_big": {
      const max = i.maximum as number | bigint;
      const inclusive = i.inclusive !== false;
      if (i.origin === "string") return `Use at most ${plural(max, "character")}`;
      if (i.origin === "array" || i.origin === "set") return `Choose at most ${max}`;
      if (i.origin === "date") return `Choose a date on or before ${String(max)}`;
      return inclusive ? `Must be ${max} or less` : `Must be less than ${max}`;
    }
    case "invalid_format": {
      const format = String(i.format);
      if (format === "regex") return "This is not in the expected format";
      if (format === "starts_with") return `Must start with "${String(i.prefix)}"`;
      if (format === "ends_with") return `Must end with "${String(i.suffix)}"`;
      if (format === "includes") return `Must contain "${String(i.includes)}"`;
      return formats[format] ?? "This is not in the expected format";
    }
    case "invalid_value": {
      const values = (i.values as unknown[] | undefined) ?? [];
      if (values.length === 1) return `Must be ${JSON.stringify(values[0])}`;
      return `Choose one of: ${values.map((v) => String(v)).join(", ")}`;
    }
    case "not_multiple_of":
      return `Must be a multiple of ${String(i.divisor)}`;
    case "unrecognized_keys": {
      const keys = (i.keys as string[] | undefined) ?? [];
      return `Not a known field: ${keys.join(", ")}`;
    }
    case "invalid_union":
      return "This value matches none of the accepted forms";
    case "invalid_key":
      return "This key is not valid";
    case "invalid_element":
      return "An entry of this list is not valid";
    default:
      return undefined;
  }
}

z.config({ customError: (issue) => humanIssueMessage(issue) });

export { z };
