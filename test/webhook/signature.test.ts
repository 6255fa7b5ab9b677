import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature, webhookSecret } from '../../src/webhook/signature.ts';

const secret = webhookSecret('key-of-acme-0123456789');
const body = '{"event":"list.completed"}';

describe('webhook signatures', () => {
  it('derives the secret from the API key as documented', async () => {
    const { createHmac } = await import('node:crypto');
    expect(secret).toBe(
      createHmac('sha256', 'key-of-acme-0123456789').update('listclean-webhook-v1').digest('hex'),
    );
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies its own signature, from a string or the raw bytes', () => {
    const ts = Math.floor(Date.now() / 1000);
    const signature = signWebhook(body, ts, secret);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(body, String(ts), signature, secret)).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(body), ts, signature, secret)).toBe(true);
  });

  it('refuses a changed body, timestamp, secret or a stale delivery', () => {
    const ts = 1_700_000_000;
    const signature = signWebhook(body, ts, secret);
    const now = ts + 10;
    expect(verifyWebhookSignature(`${body} `, ts, signature, secret, 300, now)).toBe(false);
    expect(verifyWebhookSignature(body, ts + 1, signature, secret, 300, now)).toBe(false);
    expect(verifyWebhookSignature(body, ts, signature, webhookSecret('other'), 300, now)).toBe(
      false,
    );
    expect(verifyWebhookSignature(body, ts, signature, secret, 300, ts + 301)).toBe(false);
    expect(verifyWebhookSignature(body, ts, signature, secret, 300, ts - 301)).toBe(false);
    expect(verifyWebhookSignature(body, '1.7e9', signature, secret, 300, now)).toBe(false);
    expect(verifyWebhookSignature(body, ts, 'v1=zz', secret, 300, now)).toBe(false);
  });

  it('accepts any one of several v1 entries (a tenant rotating keys)', () => {
    const ts = 1_700_000_000;
    const header = [webhookSecret('old-key-0123456789'), secret]
      .map((s) => signWebhook(body, ts, s))
      .join(',');
    expect(verifyWebhookSignature(body, ts, header, secret, 300, ts)).toBe(true);
  });
});

const run = promisify(execFile);

describe('the README recipe for receivers', () => {
  it('computes with openssl, as written, the signature listclean sends', async () => {
    const readme = await readFile('README.md', 'utf8');
    const recipe = /the secret is the \*\*hex text\*\*[\s\S]*?```sh\n([\s\S]*?)```/.exec(
      readme,
    )?.[1];
    expect(recipe).toBeDefined();
    const key = 'acme-0123456789abcdef';
    const body = '{"event":"list.done","list":{"id":"x"}}';
    const timestamp = 1796500000;
    const { stdout } = await run('bash', ['-c', recipe ?? ''], {
      env: { ...process.env, KEY: key, TIMESTAMP: String(timestamp), BODY: body },
    });
    const printed = stdout.trim().split(/\s+/).at(-1);
    expect(`v1=${printed}`).toBe(signWebhook(body, timestamp, webhookSecret(key)));
  });
});
