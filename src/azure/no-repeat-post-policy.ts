import { RestError, type PipelinePolicy, type PipelineRequest } from '@azure/core-rest-pipeline';

export const NO_REPEAT_POST_POLICY = 'failbackNoRepeatPost';

/**
 * Placed after the SDK's retry phase, this policy sees every attempt and refuses to send the same
 * POST a second time: the SDK's default retry would otherwise re-send an ASR operation after a 5xx
 * or a dropped connection although ASR may have accepted it. A POST answered 429 was not accepted,
 * so that one may be sent again. The caller resolves an unknown outcome by reading the item.
 */
export function noRepeatPostPolicy(): PipelinePolicy {
  const sent = new WeakMap<PipelineRequest, number | 'no-response'>();
  return {
    name: NO_REPEAT_POST_POLICY,
    async sendRequest(request, next) {
      if (request.method !== 'POST') return next(request);
      const previous = sent.get(request);
      if (previous !== undefined && previous !== 429) {
        throw new RestError(
          `Not re-sending ${request.url.split('?')[0]}: the first attempt ${
            previous === 'no-response' ? 'got no response' : `got HTTP ${previous}`
          } and ASR may have accepted it`,
          { code: 'POST_NOT_REPEATED', request },
        );
      }
      sent.set(request, 'no-response');
      const response = await next(request);
      sent.set(request, response.status);
      return response;
    },
  };
}
