// Failure injection: rules decide, each provider module shapes the error like the real API.
import { randomBytes } from "node:crypto";
import { isProviderName } from "./providers";
import { FAILURE_MODES, type FailureRule, type FailureRuleInput } from "./types";

/** mulberry32: small, fast and reproducible from a seed. */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FailureHit {
  rule: FailureRule;
  /** Recipients the rule matched (all of them for a rule without a recipient filter). */
  recipients: string[];
}

export class FailureRules {
  private rules: FailureRule[] = [];
  private random: () => number;

  constructor(seed: number) {
    this.random = createPrng(seed);
  }

  add(input: FailureRuleInput): FailureRule {
    const rule: FailureRule = {
      ...validateRule(input),
      id: `rule_${randomBytes(5).toString("hex")}`,
      fired: 0,
      createdAt: new Date().toISOString(),
    };
    this.rules.push(rule);
    return rule;
  }

  list(): FailureRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  /** First matching rule wins; a rule with `count` retires once it has fired that often. */
  evaluate(target: { provider: string; accountId: string | null; recipients: string[] }): FailureHit | null {
    for (const rule of this.rules) {
      if (rule.provider && rule.provider !== target.provider) continue;
      if (rule.accountId && rule.accountId !== target.accountId) continue;
      const recipients = target.recipients.filter((r) => recipientMatches(rule, r));
      if (recipients.length === 0 && (rule.recipient || rule.recipientPrefix)) continue;
      const rate = rule.rate ?? 1;
      if (rate < 1 && this.random() >= rate) continue;
      rule.fired += 1;
      if (rule.count !== undefined && rule.fired >= rule.count) this.remove(rule.id);
      return { rule: { ...rule }, recipients: recipients.length ? recipients : target.recipients };
    }
    return null;
  }
}

function recipientMatches(rule: FailureRuleInput, recipient: string): boolean {
  if (rule.recipient !== undefined && rule.recipient !== recipient) return false;
  if (rule.recipientPrefix !== undefined && !recipient.startsWith(rule.recipientPrefix)) return false;
  return true;
}

export function validateRule(input: FailureRuleInput): FailureRuleInput {
  if (!FAILURE_MODES.includes(input.mode)) throw new Error(`unknown failure mode: ${String(input.mode)}`);
  if (input.provider !== undefined && !isProviderName(input.provider)) {
    throw new Error(`unknown provider: ${String(input.provider)}`);
  }
  if (input.rate !== undefined && !(input.rate >= 0 && input.rate <= 1)) {
    throw new Error("rate must be between 0 and 1");
  }
  if (input.count !== undefined && !(Number.isInteger(input.count) && input.count > 0)) {
    throw new Error("count must be a positive integer");
  }
  if (input.status !== undefined && ![500, 502, 503].includes(input.status)) {
    throw new Error("status must be 500, 502 or 503");
  }
  return { ...input };
}
