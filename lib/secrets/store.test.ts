import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { findSecret } from "@/db/queries/secrets";
import { makeTenant } from "@/lib/test/factories";
import { seal, secretAad, unseal, SecretStoreError } from "./crypto";
import { createSecret, describeRefs, isEnvRefAllowed, parseRef, resolveSecretRef, rotateSecret } from "./store";

afterAll(() => closeDb());

describe("secret crypto", () => {
  it("round-trips and uses a fresh nonce each time", () => {
    const a = seal("s3cr3t-value", "aad");
    const b = seal("s3cr3t-value", "aad");
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.ciphertext).not.toContain("s3cr3t");
    expect(unseal(a, "aad")).toBe("s3cr3t-value");
  });

  it.each([
    ["ciphertext", (s: ReturnType<typeof seal>) => ({ ...s, ciphertext: flip(s.ciphertext) })],
    ["tag", (s: ReturnType<typeof seal>) => ({ ...s, authTag: flip(s.authTag) })],
    ["iv", (s: ReturnType<typeof seal>) => ({ ...s, iv: flip(s.iv) })],
  ])("detects a tampered %s", (_what, tamper) => {
    const sealed = seal("value", "aad");
    expect(() => unseal(tamper(sealed), "aad")).toThrow(SecretStoreError);
  });

  it("binds the ciphertext to its row (AAD)", () => {
    const sealed = seal("value", secretAad("tenant-a", "id-1"));
    expect(() => unseal(sealed, secretAad("tenant-b", "id-1"))).toThrow(/failed authentication/);
  });

  it("refuses a wrong master key", () => {
    const sealed = seal("value", "aad");
    const saved = process.env.HERALD_MASTER_KEY;
    process.env.HERALD_MASTER_KEY = Buffer.alloc(32, 9).toString("base64");
    try {
      expect(() => unseal(sealed, "aad")).toThrow(SecretStoreError);
    } finally {
      process.env.HERALD_MASTER_KEY = saved;
    }
  });
});

describe("secret store", () => {
  it("stores encrypted, resolves, rotates keeping the ref, and is tenant-scoped", async () => {
    const tenant = await makeTenant();
    const other = await makeTenant();
    const db = getDb();
    const { id, ref } = await createSecret(db, { tenantId: tenant.id, label: "x", value: "first-value-123", createdBy: null });
    const row = await findSecret(db, { tenantId: tenant.id, id });
    expect(JSON.stringify(row)).not.toContain("first-value-123");
    expect(await resolveSecretRef(db, tenant.id, ref)).toBe("first-value-123");
    await expect(resolveSecretRef(db, other.id, ref)).rejects.toThrow(SecretStoreError);

    await rotateSecret(db, { tenantId: tenant.id, ref, value: "second-value-456", rotatedBy: null });
    expect(await resolveSecretRef(db, tenant.id, ref)).toBe("second-value-456");
    const meta = (await describeRefs(db, tenant.id, [ref])).get(ref)!;
    expect(meta).toMatchObject({ ref, source: "secret", set: true });
    expect(meta.rotatedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(meta)).not.toContain("second-value");
    await expect(rotateSecret(db, { tenantId: other.id, ref, value: "x", rotatedBy: null })).rejects.toThrow();
  });

  it("reads env refs only from allowed variables", async () => {
    const tenant = await makeTenant();
    process.env.HERALD_CRED_TEST_KEY = "from-env";
    expect(parseRef("env:HERALD_CRED_TEST_KEY")).toEqual({ kind: "env", name: "HERALD_CRED_TEST_KEY" });
    expect(await resolveSecretRef(getDb(), tenant.id, "env:HERALD_CRED_TEST_KEY")).toBe("from-env");
    expect(isEnvRefAllowed("HERALD_MASTER_KEY")).toBe(false);
    await expect(resolveSecretRef(getDb(), tenant.id, "env:HERALD_MASTER_KEY")).rejects.toThrow(/may not be used/);
    await expect(resolveSecretRef(getDb(), tenant.id, "env:HERALD_CRED_UNSET")).rejects.toThrow(/not set/);
  });
});

function flip(b64: string): string {
  const buf = Buffer.from(b64, "base64");
  buf[0] = buf[0]! ^ 0x01;
  return buf.toString("base64");
}
