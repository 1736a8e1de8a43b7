import { isIP } from 'node:net';
import { z } from 'zod';
import { formatDuration, parseDuration } from './durations';

/** The checks file as written, validated field by field (rules across fields and entries are in checks-file.ts). */

const HOSTNAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

export const CHECK_KINDS = ['http', 'tcp', 'dns'] as const;

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const duration = (minMs: number, maxMs: number) =>
  z.unknown().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.issues.push({ code: 'custom', input: value, message: 'not a duration (30s, 15m, 2m30s, or milliseconds)' });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      const range = `${formatDuration(minMs)} and ${formatDuration(maxMs)}`;
      ctx.issues.push({ code: 'custom', input: value, message: `must be between ${range}` });
      return z.NEVER;
    }
    return ms;
  });

/** Why `value` is not a URL a check may GET, or undefined when it is. */
export function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'not an http(s) URL';
  if (url.username || url.password) return 'must not contain credentials (user:pass@)';
  if (!url.hostname) return 'has no host';
  return undefined;
}

const url = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = urlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const host = z
  .string()
  .trim()
  .refine((v) => isIP(v) !== 0 || HOSTNAME.test(v), 'not a host name or IP address');

const names = z.array(text(200));

const wholeNumber = (min: number, max: number, range: string) =>
  z
    .int({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a whole number') })
    .min(min, range)
    .max(max, range);

const httpSchema = z
  .strictObject({
    url,
    expectStatus: wholeNumber(100, 599, 'must be an HTTP status (100-599)').optional(),
    bodyContains: text(1024).optional(),
    insecureTls: z.boolean().optional(),
  })
  .refine((h) => !h.insecureTls || /^https:/i.test(h.url), {
    message: 'insecureTls applies to https URLs only',
    path: ['insecureTls'],
  });

const tcpSchema = z.strictObject({
  host,
  port: wholeNumber(1, 65535, 'must be between 1 and 65535'),
});

const dnsSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .refine((v) => HOSTNAME.test(v), 'not a DNS name'),
  expectAddress: z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0, 'not an IP address literal')
    .optional(),
});

const entrySchema = z.strictObject({
  name: text(80),
  vms: names.optional(),
  plans: names.optional(),
  vault: text(200).optional(),
  timeout: duration(100, 120_000).optional(),
  http: httpSchema.optional(),
  tcp: tcpSchema.optional(),
  dns: dnsSchema.optional(),
});

export const checksFileSchema = z.strictObject({
  defaults: z
    .strictObject({
      window: duration(0, 24 * 3_600_000).optional(),
      interval: duration(1_000, 3_600_000).optional(),
      timeout: duration(100, 120_000).optional(),
      concurrency: wholeNumber(1, 64, 'must be between 1 and 64').optional(),
    })
    .optional(),
  checks: z.array(entrySchema),
});

export type ChecksFileInput = z.infer<typeof checksFileSchema>;
export type CheckEntryInput = ChecksFileInput['checks'][number];

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

/** Plain messages for the type errors zod would word for programmers. */
export const checksErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'is required';
  return `must be ${EXPECTED[issue.expected] ?? issue.expected}`;
};
