// Every file the controller keeps private, by what it holds. One list, so the start-up check that
// keeps them out of every served tree cannot miss one (a test compares it with what a real
// controller writes into its data dir).
import { join } from 'node:path';
import { auditLogPath } from '../audit/audit-log.js';
import { claimSecretPath, operatorFilePath } from '../auth/first-start-secrets.js';
import { kubeconfigPath } from '../kubernetes/kubeconfig-file.js';
import { TLS_FILES, tlsDir } from '../tls/tls-paths.js';

/** A private path and what it holds, for error messages. */
export interface PrivatePath {
  what: string;
  path: string;
}

/** `<dataDir>/osbuild.db`: the SQLite store. */
export const databasePath = (dataDir: string): string => join(dataDir, 'osbuild.db');
/** `<dataDir>/controller.json`: where the running controller listens (read by the CLI). */
export const controllerInfoPath = (dataDir: string): string => join(dataDir, 'controller.json');

/**
 * The data directory and each private file in it. `extra` are private files the controller was
 * handed from elsewhere (the kubeconfig given to `serve --kubeconfig`).
 */
export function privatePaths(dataDir: string, extra: readonly PrivatePath[] = []): PrivatePath[] {
  const db = databasePath(dataDir);
  return [
    { what: 'the data directory', path: dataDir },
    { what: 'the TLS directory', path: tlsDir(dataDir) },
    { what: 'the CA key', path: join(tlsDir(dataDir), TLS_FILES.caKey) },
    { what: 'the server key', path: join(tlsDir(dataDir), TLS_FILES.serverKey) },
    { what: 'the operator credentials', path: operatorFilePath(dataDir) },
    { what: 'the claim secret', path: claimSecretPath(dataDir) },
    { what: 'the database', path: db },
    { what: 'the database journal', path: `${db}-wal` },
    { what: 'the database journal', path: `${db}-shm` },
    { what: 'the audit log', path: auditLogPath(dataDir) },
    { what: 'the cluster kubeconfig', path: kubeconfigPath(dataDir) },
    { what: 'the controller address file', path: controllerInfoPath(dataDir) },
    ...extra,
  ];
}
