// Netgsm (Turkey) REST v2: send, OTP, report (polled; ≤ 10 queries a minute) and the balance check.
import { isRecord, json, type SimRequest, type SimResponse } from "../http";
import { digits, hex } from "../ids";
import { injectFailure, UnsupportedEvent, type ErrorShapes, type ProviderModule, type SimContext } from "../provider";
import type { AccountBase, SentMessage, TriggerEventInput } from "../types";

export interface NetgsmAccount extends AccountBase {
  provider: "netgsm";
  usercode: string;
  password: string;
  /** Sender headers defined on the account; any other msgheader answers code 40. */
  msgheaders: string[];
}

// Netgsm answers every refusal with a code in the body; HTTP 406 for request errors.
const code = (status: number, c: string, description: string): SimResponse => json(status, { code: c, description });

const errors: ErrorShapes = {
  auth: () => code(406, "30", "Invalid username, password or no API access / IP not allowed"),
  rateLimit: () => code(406, "80", "Sending limit exceeded"),
  serverError: (status) => code(status, "100", "System error"),
  // Netgsm has no per-number refusal at send time; the IYS refusal is the one a recipient causes.
  invalidRecipient: () => code(406, "50", "The recipient is restricted by IYS"),
};

const MOBILE = /^5\d{9}$/;
const MAX_TEXT = 917; // 6 concatenated Turkish-encoded parts
const REPORT_LIMIT_PER_MINUTE = 10;
const JOBS_PER_NUMBER_PER_MINUTE = 20;

/** Delivery status numbers per report, keyed by Herald-visible event. */
const statusByEvent: Partial<Record<TriggerEventInput["event"], number>> = { sent: 0, delivered: 1, undelivered: 4, failed: 3 };

// Sliding one-minute windows; bounded by the number of accounts and numbers in one test run.
const reportCalls = new Map<string, number[]>();
const numberJobs = new Map<string, number[]>();
function overLimit(map: Map<string, number[]>, key: string, limit: number): boolean {
  const now = Date.now();
  const recent = (map.get(key) ?? []).filter((t) => now - t < 60_000);
  if (recent.length >= limit) {
    map.set(key, recent);
    return true;
  }
  recent.push(now);
  map.set(key, recent);
  return false;
}

function authenticate(req: SimRequest, ctx: SimContext): NetgsmAccount | undefined {
  const auth = req.basicAuth();
  const account = auth ? ctx.state.findAccount("netgsm", (a) => a.usercode === auth.user && a.password === auth.pass) : undefined;
  if (account) req.meta.accountId = account.id;
  return account;
}

function readJson(req: SimRequest): Record<string, unknown> | null {
  const body = req.json();
  req.meta.body = body;
  return isRecord(body) ? body : null;
}

function saveJob(ctx: SimContext, account: NetgsmAccount, req: SimRequest, numbers: string[], meta: Record<string, unknown>): string {
  const jobid = digits(10);
  const message: SentMessage = {
    id: jobid,
    provider: "netgsm",
    accountId: account.id,
    recipients: numbers,
    createdAt: new Date().toISOString(),
    // Netgsm reports "sent to the handset" (1) once the operator confirms; auto delivery does that at once.
    meta: { ...meta, status: ctx.state.shouldAutoDeliver(account.id) ? 1 : 0 },
  };
  ctx.state.saveMessage(message);
  req.meta.messageIds = [jobid];
  return jobid;
}

async function send(req: SimRequest, ctx: SimContext, otp: boolean): Promise<SimResponse> {
  const account = authenticate(req, ctx);
  if (!account) return errors.auth();
  const body = readJson(req);
  if (!body) return code(406, "70", "Invalid request body");
  const messages = otp ? [{ msg: body.msg, no: body.no }] : body.messages;
  if (typeof body.msgheader !== "string" || !Array.isArray(messages) || messages.length === 0) return code(406, "70", "Missing or invalid parameter");
  const numbers: string[] = [];
  for (const m of messages) {
    if (!isRecord(m) || typeof m.no !== "string" || typeof m.msg !== "string") return code(406, "70", "Missing or invalid parameter");
    if (!MOBILE.test(m.no)) return code(406, "70", `Invalid number: ${m.no}`);
    if (m.msg.length === 0 || m.msg.length > MAX_TEXT) return code(406, "20", "Message text is empty or too long");
    numbers.push(m.no);
  }
  if (!account.msgheaders.includes(body.msgheader)) return code(406, "40", "The sender header is not defined on the account");
  req.meta.recipients = numbers;
  const failure = injectFailure(req, ctx, errors, numbers);
  if (failure) return failure.response;
  if (numbers.some((n) => overLimit(numberJobs, `${account.id}:${n}`, JOBS_PER_NUMBER_PER_MINUTE))) {
    return code(406, "85", "More than 20 jobs to the same number within a minute");
  }
  const jobid = saveJob(ctx, account, req, numbers, { msgheader: body.msgheader, otp, iysfilter: body.iysfilter ?? null, partnercode: body.partnercode ?? null });
  return json(200, { code: "00", description: "queued", jobid });
}

async function report(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const account = authenticate(req, ctx);
  if (!account) return errors.auth();
  const body = readJson(req);
  const jobids = body?.jobids;
  if (!Array.isArray(jobids) || jobids.some((j) => typeof j !== "string")) return code(406, "70", "jobids is required");
  const failure = injectFailure(req, ctx, errors, []);
  if (failure) return failure.response;
  if (overLimit(reportCalls, account.id, REPORT_LIMIT_PER_MINUTE)) return code(406, "80", "At most 10 report queries a minute");
  const jobs = (jobids as string[]).flatMap((jobid) => {
    const m = ctx.state.getMessage(jobid);
    if (!m || m.accountId !== account.id) return [];
    return m.recipients.map((no) => ({ jobid, telno: no, status: m.meta.status as number, deliveredDate: m.meta.deliveredAt ?? null, errorCode: m.meta.errorCode ?? null }));
  });
  return json(200, { code: "00", description: "ok", jobs });
}

async function balance(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const account = authenticate(req, ctx);
  if (!account) return errors.auth();
  readJson(req);
  return json(200, { code: "00", balance: [{ amount: 1000, balance_name: "SMS" }] });
}

export const netgsm: ProviderModule<NetgsmAccount> = {
  name: "netgsm",
  buildAccount: (base, c) => ({
    account: {
      ...base,
      provider: "netgsm",
      usercode: c.usercode ?? `850${digits(7)}`,
      password: c.password ?? hex(8),
      msgheaders: (c.msgheaders ?? "HERALD").split(","),
    },
  }),
  credentialCheck: (method, path) => (method === "POST" && path === "/balance" ? balance : null),
  errors,
  route: (method, path) => {
    if (method !== "POST") return null;
    if (path === "/sms/rest/v2/send") return (req, ctx) => send(req, ctx, false);
    if (path === "/sms/rest/v2/otp") return (req, ctx) => send(req, ctx, true);
    if (path === "/sms/rest/v2/report") return report;
    return null;
  },
  // Netgsm posts no webhooks: an event changes the status its report API answers.
  async trigger(message, input) {
    const status = input.errorCode ?? statusByEvent[input.event];
    if (status === undefined) throw new UnsupportedEvent(`Netgsm reports no ${input.event}`);
    message.meta.status = status;
    if (status === 1) message.meta.deliveredAt = new Date().toISOString();
    return [];
  },
  heraldConfig: {
    forAccount: (a) => ({ msgheader: a.msgheaders[0], credentials: { usercode_ref: a.usercode, password_ref: a.password } }),
    sample: () => ({ msgheader: "HERALD", credentials: { usercode_ref: "8500000000", password_ref: "secret" } }),
  },
};
