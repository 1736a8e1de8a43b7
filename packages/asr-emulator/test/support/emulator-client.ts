import { DefaultAzureCredential } from '@azure/identity';
import { SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import { type AsrEmulator, trustEmulatorPolicy } from '../../src';

/**
 * The real Azure SDK client on an emulator, signed in through the emulator's managed identity (set
 * in this process's environment, the way a bot finds Azure's); for the default vault's subscription
 * unless `subscriptionId` names another.
 */
export function emulatorClient(
  emulator: AsrEmulator,
  options: { maxRetries?: number; subscriptionId?: string } = {},
): SiteRecoveryManagementClient {
  process.env.IDENTITY_ENDPOINT = emulator.identity.endpoint;
  process.env.IDENTITY_HEADER = emulator.identity.header;
  return new SiteRecoveryManagementClient(
    new DefaultAzureCredential(),
    options.subscriptionId ?? emulator.vault.subscriptionId,
    {
      endpoint: emulator.url,
      credentialScopes: ['https://management.azure.com/.default'],
      additionalPolicies: [{ policy: trustEmulatorPolicy(emulator.caCertPem), position: 'perCall' }],
      ...(options.maxRetries !== undefined ? { retryOptions: { maxRetries: options.maxRetries } } : {}),
    },
  );
}
