// The environment itself (for scripts, benchmarks and the global setup)
export {
  startKubeTestEnv,
  kubeTestEnvMissing,
  KubeTestEnvUnavailableError,
  KUBE_TESTBIN_VERSION,
  KUBE_ADVERTISE_ADDRESS,
} from './kube/kubeTestEnv.js';
export type {
  KubeTestEnv,
  KubeTestEnvInfo,
  StartKubeTestEnvOptions,
} from './kube/kubeTestEnv.js';

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
} from './kube/kubeTest.js';
export type { KubeTestEnvHandle, ServerEvent } from './kube/kubeTest.js';
export type { ProvidedKubeTestEnv } from './kube/globalSetup.js';

// README examples run as tests
export { readmeBlock, runReadmeExample } from './readme.js';
