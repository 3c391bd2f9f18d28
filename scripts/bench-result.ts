// What every hot-path bench reports to `npm run bench:all`, and the ceilings they measure in the
// same run: one `BENCH_RESULT {json}` line per figure, so the summary never re-parses prose.
import postgres from "postgres";

/** BENCH_QUICK=1: reduced sizes so `bench:all` finishes in a few minutes (noisier figures). */
export const quick = process.env.BENCH_QUICK === "1";

export const RESULT_PREFIX = "BENCH_RESULT ";

export interface BenchResult {
  bench: string;
  /** What was measured, e.g. "single send, 10 clients". */
  path: string;
  figure: number;
  unit: string;
  /** The ceiling measured in the same run, e.g. the trivial route or a bare client. */
  ceiling?: { name: string; figure: number; unit: string };
  /** figure / ceiling.figure when the target is a share of the ceiling. */
  ratio?: number;
  p50?: number;
  p99?: number;
  target: string;
  pass: boolean;
}

export function reportResult(r: BenchResult) {
  console.log(RESULT_PREFIX + JSON.stringify(r));
}

export const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");

/**
 * Postgres commit ceiling: `clients` loops inserting `rowsPerStatement` rows per autocommitted
 * statement (durable commits, as Herald's own writes) into a scratch table for `seconds`. Returns rows/s.
 */
export async function measureInsertCeiling(databaseUrl: string, opts: { seconds: number; clients: number; rowsPerStatement: number }): Promise<number> {
  const sql = postgres(databaseUrl, { max: opts.clients, onnotice: () => {} });
  try {
    await sql`create table if not exists bench_ceiling (id bigserial primary key, payload text not null)`;
    const rows = Array.from({ length: opts.rowsPerStatement }, (_, i) => ({ payload: `row ${i}` }));
    let inserted = 0;
    const started = performance.now();
    const deadline = started + opts.seconds * 1000;
    await Promise.all(
      Array.from({ length: opts.clients }, async () => {
        while (performance.now() < deadline) {
          if (opts.rowsPerStatement === 1) await sql`insert into bench_ceiling (payload) values ('row')`;
          else await sql`insert into bench_ceiling ${sql(rows, "payload")}`;
          inserted += opts.rowsPerStatement;
        }
      }),
    );
    const rate = inserted / ((performance.now() - started) / 1000);
    await sql`drop table bench_ceiling`;
    return rate;
  } finally {
    await sql.end({ timeout: 2 });
  }
}
