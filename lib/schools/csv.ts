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
  const parser = new CsvStreamParser();
  const records = [...parser.push(text), ...parser.end()];
  return { records, delimiter: parser.delimiter ?? "," };
}

/**
 * The same parser fed in chunks (a streamed upload): `push` returns the records completed so
 * far, `end` the last one. Memory stays at one record plus one chunk.
 */
export class CsvStreamParser {
  delimiter: string | null = null;
  private pending = "";
  private started = false;
  private fields: string[] = [];
  private field = "";
  private line = 1;
  private recordLine = 1;
  private inQuotes = false;
  private quoteStartLine = 0;
  private fieldStarted = false;

  push(chunk: string): CsvRecord[] {
    let text = this.pending + chunk;
    this.pending = "";
    if (!this.started) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const end = text.search(/\r?\n/);
      if (end < 0) {
        // The delimiter is decided by the whole header line: wait for it.
        this.pending = text;
        return [];
      }
      this.detectDelimiter(text.slice(0, end));
    }
    return this.consume(text, false);
  }

  end(): CsvRecord[] {
    let text = this.pending;
    this.pending = "";
    if (!this.started) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.detectDelimiter(text);
    }
    const out = this.consume(text, true);
    if (this.inQuotes) throw new CsvSyntaxError(`Unterminated quoted field starting on line ${this.quoteStartLine}`, this.quoteStartLine);
    if (this.field !== "" || this.fields.length > 0) this.endRecord(out);
    return out;
  }

  private detectDelimiter(firstLine: string) {
    this.started = true;
    this.delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";
  }

  private endRecord(out: CsvRecord[]) {
    this.fields.push(this.field);
    // Blank lines are skipped, not reported as rows.
    if (!(this.fields.length === 1 && this.fields[0]!.trim() === "" && !this.fieldStarted)) out.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
    this.field = "";
    this.fieldStarted = false;
  }

  private consume(text: string, final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const delimiter = this.delimiter ?? ",";
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      // A \r, or a " inside quotes, at the end of a chunk can't be read until the next character is known.
      if (!final && i === text.length - 1 && (ch === "\r" || (ch === '"' && this.inQuotes))) {
        this.pending = ch;
        break;
      }
      if (this.inQuotes) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i++;
          } else this.inQuotes = false;
        } else if (ch === "\r" && text[i + 1] === "\n") {
          // Line breaks inside a quoted field are kept, normalized to \n.
          this.field += "\n";
          this.line++;
          i++;
        } else {
          if (ch === "\n") this.line++;
          this.field += ch;
        }
        continue;
      }
      if (ch === '"' && this.field.trim() === "") {
        this.inQuotes = true;
        this.quoteStartLine = this.line;
        this.field = "";
        this.fieldStarted = true;
      } else if (ch === delimiter) {
        this.fields.push(this.field);
        this.field = "";
        this.fieldStarted = true;
      } else if (ch === "\n" || ch === "\r") {
        if (ch === "\r" && text[i + 1] === "\n") i++;
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
      } else {
        this.field += ch;
      }
    }
    return out;
  }
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
