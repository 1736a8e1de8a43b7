import { z } from 'zod';

/**
 * What the request modal carries in private_metadata: where the request was made. Without a channel
 * (opened from App Home) the modal asks for one.
 */
const schema = z.object({
  channelId: z
    .string()
    .regex(/^[CGD][A-Z0-9]+$/)
    .optional(),
});
export type RequestMetadata = z.infer<typeof schema>;

export function encodeRequestMetadata(m: RequestMetadata): string {
  return JSON.stringify(m);
}

export function decodeRequestMetadata(raw: string): RequestMetadata | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
