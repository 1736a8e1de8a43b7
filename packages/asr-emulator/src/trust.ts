/**
 * Trusting the emulator's self-signed certificate from inside a running process.
 * NODE_EXTRA_CA_CERTS is read only when Node starts; an SDK client built later in the same process
 * (tests, the demo) adds this policy instead.
 */
import https from 'node:https';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export const trustEmulatorPolicyName = 'trustEmulatorPolicy';

/**
 * A pipeline policy that sends every request through an https.Agent trusting `caPem` (keep-alive).
 * @azure/core-rest-pipeline's Node client uses `request.agent` when set. Add it with
 * `client.pipeline.addPolicy(trustEmulatorPolicy(pem))` or the client's `additionalPolicies`
 * (`{ policy, position: 'perCall' }`).
 */
export function trustEmulatorPolicy(caPem: string): PipelinePolicy {
  const agent = new https.Agent({ ca: caPem, keepAlive: true });
  return {
    name: trustEmulatorPolicyName,
    sendRequest(request, next) {
      request.agent = agent;
      return next(request);
    },
  };
}
