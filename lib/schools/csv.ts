/** One CSV record with the 1-based line its first field starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * RFC 4180 parser: quoted fields with "" escapes and embedded newlines, CRLF or LF, a leading
 * BOM, and `,` or `;` as the delimiter (taken from the header line, as spreadsheet exports in
 * Turkish and Swedish locales use `;`). Throws on an unterminated quote.
 */
export function parseCsv(text: string): { records: CsvRecord[]; delimiter: string } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quoteStartLine = 0;
  let fieldStarted = false;
  const endRecord = () => {
    fields.push(field);
    // Blank lines are skipped, not reported as rows.
    if (!(fields.length === 1 && fields[0]!.trim() === "" && !fieldStarted)) records.push({ line: recordLine, fields });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else if (ch === "\r" && text[i + 1] === "\n") {
        // Line breaks inside a quoted field are kept, normalized to \n.
        field += "\n";
        line++;
        i++;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === "") {
      inQuotes = true;
      quoteStartLine = line;
      field = "";
      fieldStarted = true;
    } else if (ch === delimiter) {
      fields.push(field);
      field = "";
      fieldStarted = true;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
    }
  }
  if (inQuotes) throw new CsvSyntaxError(`Unterminated quoted field starting on line ${quoteStartLine}`, quoteStartLine);
  if (field !== "" || fields.length > 0) endRecord();
  return { records, delimiter };
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = "CsvSyntaxError";
  }
}
