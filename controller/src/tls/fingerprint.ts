// The controller's fingerprint helpers are the shared ones: the pin `osbuild ca show` prints must be
// exactly what the agent compares against.
export {
  fingerprintOf,
  fingerprintOfDer,
  fingerprintsEqual,
  normaliseFingerprint,
  splitPemCertificates,
} from '@osbuild/shared';
