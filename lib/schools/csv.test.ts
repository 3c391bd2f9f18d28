import { describe, expect, it } from "vitest";
import { CsvStreamParser, parseCsv } from "./csv";

const sample = '\ufeffname;email;note\r\n"Lind, Anna";anna@example.test;"two\r\nlines"\r\n\r\nÖzge;ozge@example.test;"say ""hi"""\nlast;x@example.test;end';

describe("CSV parser", () => {
  it("reads quotes, escaped quotes, CRLF inside quotes, blank lines and the ; delimiter with line numbers", () => {
    const { records, delimiter } = parseCsv(sample);
    expect(delimiter).toBe(";");
    expect(records).toEqual([
      { line: 1, fields: ["name", "email", "note"] },
      { line: 2, fields: ["Lind, Anna", "anna@example.test", "two\nlines"] },
      { line: 5, fields: ["Özge", "ozge@example.test", 'say "hi"'] },
      { line: 6, fields: ["last", "x@example.test", "end"] },
    ]);
  });

  it("gives the same records however the stream is cut", () => {
    const whole = parseCsv(sample).records;
    for (let size = 1; size <= sample.length; size++) {
      const p = new CsvStreamParser();
      const got = [];
      for (let i = 0; i < sample.length; i += size) got.push(...p.push(sample.slice(i, i + size)));
      got.push(...p.end());
      expect(got, `chunk size ${size}`).toEqual(whole);
    }
  });

  it("rejects an unterminated quote with its line", () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow(/line 2/);
  });
});
