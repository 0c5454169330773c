// Child process: hashes node credentials with the controller's own hashSecret (scrypt), so seeding
// thousands of enrolled nodes uses both cores.
import { hashSecret } from '../src/auth/secrets.js';
import { serveParent } from './support/child.js';

serveParent({ hash: (req) => (req.passwords as string[]).map((p) => hashSecret(p)) }, async () => undefined);
