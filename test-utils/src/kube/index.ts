// The environment itself (for scripts, benchmarks and the global setup)
export {
  startKubeTestEnv,
  kubeTestEnvMissing,
  KubeTestEnvUnavailableError,
  KUBE_TESTBIN_VERSION,
  KUBE_ADVERTISE_ADDRESS,
} from './kubeTestEnv.js';
export type {
  KubeTestEnv,
  KubeTestEnvInfo,
  StartKubeTestEnvOptions,
} from './kubeTestEnv.js';

// Helpers for test files
export {
  kubeTestEnv,
  kubeTestEnvUnavailableReason,
  describeKube,
  describeWithOwnKubeEnv,
  kubeConfigFor,
  uniqueNamespaceName,
  kubeRequest,
  createNamespace,
  listEvents,
  grantEvents,
  stopApiserver,
  startApiserver,
} from './kubeTest.js';
export type { KubeTestEnvHandle, ServerEvent } from './kubeTest.js';
export type { ProvidedKubeTestEnv } from './globalSetup.js';
