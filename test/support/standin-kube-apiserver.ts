// STAND-IN for kube-apiserver: no real API server can run on these machines (FIELD-NOTES
// "Kubernetes"). It serves, over HTTPS with the test CA on 127.0.0.1, only the endpoints the
// controller and the stand-in kubeadm use, with Kubernetes' semantics where the controller depends
// on them: Secret type and field validation (422), 409 on duplicates, 404 on missing objects, the
// cluster-info ConfigMap with a `jws-kubeconfig-<id>` entry per valid signing token (what the
// bootstrap signer does), Node list/watch/patch/delete, evictions refused with 429 when a
// PodDisruptionBudget allows no disruption. The code under test is the production adapter
// (client-node-api.ts) talking to it.
import { createHash, createHmac, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));

// Kubernetes objects are free-form JSON here; the stand-in reads only a few fields of them.
// biome-ignore lint/suspicious/noExplicitAny: JSON objects of any Kubernetes kind
type Obj = Record<string, any>;
/** One recorded request: method and path only (never bodies or headers, which may hold secrets). */
export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

/** A PodDisruptionBudget, reduced to what eviction checks. */
export interface StandinPdb {
  namespace: string;
  name: string;
  matchLabels: Record<string, string>;
  disruptionsAllowed: number;
}

/** The stand-in API server as tests see it. */
export interface StandinKubeApiServer {
  url: string;
  caPem: string;
  /**
   * kubeadm's discovery pin of `caPem` (`sha256:` + SHA-256 of its SubjectPublicKeyInfo), computed
   * here the way the stand-in kubeadm checks it, independently of the controller's code.
   */
  caCertHash: string;
  /** Bearer token of the admin user (in the admin kubeconfig). */
  adminToken: string;
  /** Admin kubeconfig (what kubeadm init writes to /etc/kubernetes/admin.conf). */
  adminKubeconfig(): string;
  requests: RecordedRequest[];
  secrets(): Obj[];
  node(name: string): Obj | undefined;
  nodeNames(): string[];
  setNodeReady(name: string, ready: boolean, reason?: string, message?: string): void;
  addPod(namespace: string, name: string, nodeName: string, labels?: Record<string, string>): void;
  pods(): Obj[];
  addPdb(pdb: StandinPdb): void;
  setPdbAllowed(namespace: string, name: string, disruptionsAllowed: number): void;
  /**
   * Make `<id>.<secret>` a valid bootstrap token for `ttlMs` (default 5 min), as the Secret the
   * controller creates through the API does; a token the API server would refuse throws. For tests
   * of the joining side that have no controller.
   */
  addBootstrapToken(token: { id: string; secret: string }, ttlMs?: number): void;
  /** Let a bootstrap token run out now (as if its TTL had passed). */
  expireToken(tokenId: string): void;
  /** Move the stand-in's clock (token expiry) forward. */
  advanceClock(ms: number): void;
  /** Called after a bootstrap token Secret was created (tests use it to expire one on purpose). */
  onTokenCreated?: (tokenId: string) => void;
  /** Mark each new Node Ready after this many ms (what kubelet does once the CNI is up); null: never. */
  autoReadyMs: number | null;
  /**
   * Nodes whose kubelet is gone: an evicted pod there only gets a deletionTimestamp and stays
   * (Terminating) until its Node is deleted, as with a real API server and a dead board.
   */
  unreachable: Set<string>;
  close(): Promise<void>;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }));
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Why a bootstrap token Secret is invalid, or null (the checks the API server and token authenticator make). */
function bootstrapTokenProblem(name: string, data: Record<string, string>): string | null {
  const id = data['token-id'];
  if (!id || !/^[a-z0-9]{6}$/.test(id)) return 'data[token-id]: must match [a-z0-9]{6}';
  if (name !== `bootstrap-token-${id}`) return `metadata.name: must be bootstrap-token-${id}`;
  if (!data['token-secret'] || !/^[a-z0-9]{16}$/.test(data['token-secret']))
    return 'data[token-secret]: must match [a-z0-9]{16}';
  if (data.expiration !== undefined && !RFC3339.test(data.expiration))
    return 'data[expiration]: must be RFC 3339';
  for (const k of Object.keys(data))
    if (k.startsWith('usage-bootstrap-') && data[k] !== 'true') return `data[${k}]: must be "true"`;
  const groups = data['auth-extra-groups'];
  if (groups !== undefined && !groups.split(',').every((g) => g.startsWith('system:bootstrappers:')))
    return 'data[auth-extra-groups]: groups must start with system:bootstrappers:';
  return null;
}

async function readBody(req: IncomingMessage): Promise<Obj> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Obj) : {};
}

/** Start the stand-in on 127.0.0.1 (random port) with the test CA's localhost certificate. */
export async function startStandinKubeApiServer(): Promise<StandinKubeApiServer> {
  const caPem = readFileSync(`${TLS_DIR}ca.pem`, 'utf8');
  const adminToken = randomBytes(16).toString('hex');
  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  let rv = 1;
  const secrets = new Map<string, Obj>();
  const nodes = new Map<string, Obj>();
  const pods = new Map<string, Obj>();
  const pdbs: StandinPdb[] = [];
  const watchers = new Set<ServerResponse>();
  const requests: RecordedRequest[] = [];
  let url = '';

  const adminKubeconfig = () =>
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: standin',
      '  cluster:',
      `    server: ${url}`,
      `    certificate-authority-data: ${b64(caPem)}`,
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${adminToken}`,
      'contexts:',
      '- name: admin@standin',
      '  context: {cluster: standin, user: admin}',
      'current-context: admin@standin',
      '',
    ].join('\n');

  const tokenData = (s: Obj): Record<string, string> =>
    Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, unb64(String(v))]));
  const validTokens = () =>
    [...secrets.values()]
      .filter((s) => s.type === 'bootstrap.kubernetes.io/token')
      .map(tokenData)
      .filter((d) => !d.expiration || Date.parse(d.expiration) > now());

  const emit = (type: string, obj: Obj) => {
    const line = `${JSON.stringify({ type, object: obj })}\n`;
    for (const w of watchers) w.write(line);
  };
  const bump = (obj: Obj) => {
    obj.metadata.resourceVersion = String(++rv);
    return obj;
  };

  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  const server: StandinKubeApiServer = {
    url: '',
    caPem,
    caCertHash: `sha256:${createHash('sha256').update(spki).digest('hex')}`,
    adminToken,
    adminKubeconfig,
    requests,
    secrets: () => [...secrets.values()],
    node: (name) => nodes.get(name),
    nodeNames: () => [...nodes.keys()],
    setNodeReady(name, ready, reason = ready ? 'KubeletReady' : 'KubeletNotReady', message = '') {
      const n = nodes.get(name);
      if (!n) throw new Error(`stand-in has no node ${name}`);
      n.status = {
        ...n.status,
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason, message }],
      };
      emit('MODIFIED', bump(n));
    },
    addPod(namespace, name, nodeName, labels = {}) {
      pods.set(`${namespace}/${name}`, {
        metadata: { namespace, name, labels },
        spec: { nodeName },
      });
    },
    pods: () => [...pods.values()],
    addPdb: (p) => pdbs.push({ ...p }),
    setPdbAllowed(namespace, name, allowed) {
      const p = pdbs.find((x) => x.namespace === namespace && x.name === name);
      if (p) p.disruptionsAllowed = allowed;
    },
    addBootstrapToken({ id, secret }, ttlMs = 5 * 60_000) {
      const name = `bootstrap-token-${id}`;
      const data: Record<string, string> = {
        'token-id': id,
        'token-secret': secret,
        expiration: new Date(now() + ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'usage-bootstrap-authentication': 'true',
        'usage-bootstrap-signing': 'true',
        'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
      };
      const problem = bootstrapTokenProblem(name, data);
      if (problem) throw new Error(`the stand-in API server refuses token ${id}: ${problem}`);
      secrets.set(
        `kube-system/${name}`,
        bump({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name, namespace: 'kube-system' },
          type: 'bootstrap.kubernetes.io/token',
          data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
        }),
      );
      server.onTokenCreated?.(id);
    },
    expireToken(tokenId) {
      const s = secrets.get(`kube-system/bootstrap-token-${tokenId}`);
      if (!s) throw new Error(`stand-in has no token ${tokenId}`);
      s.data.expiration = b64(new Date(now() - 1000).toISOString());
    },
    advanceClock: (ms) => {
      clockOffset += ms;
    },
    autoReadyMs: null,
    unreachable: new Set(),
    close: async () => {
      for (const w of watchers) w.end();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };

  const createNode = (body: Obj, res: ServerResponse) => {
    const name = body?.metadata?.name;
    if (!name) return status(res, 422, 'Invalid', 'metadata.name: Required value');
    if (nodes.has(name)) return status(res, 409, 'AlreadyExists', `nodes "${name}" already exists`);
    const node = bump({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, ...body.metadata.labels } },
      spec: { ...body.spec },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'KubeletNotReady',
            message:
              'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          },
        ],
      },
    });
    nodes.set(name, node);
    emit('ADDED', node);
    send(res, 201, node);
    if (server.autoReadyMs !== null)
      setTimeout(() => nodes.has(name) && server.setNodeReady(name, true), server.autoReadyMs).unref();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'https://standin');
    const path = u.pathname;
    const method = req.method ?? 'GET';
    const auth = req.headers.authorization ?? '';
    const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const admin = bearer === adminToken;
    const bootstrapAuth = validTokens().some((d) => bearer === `${d['token-id']}.${d['token-secret']}`);

    // Anonymous access is allowed for cluster-info only, as kubeadm's RBAC does.
    if (method === 'GET' && path === '/api/v1/namespaces/kube-public/configmaps/cluster-info') {
      const kubeconfig = adminKubeconfig()
        .split('\n')
        .filter((l) => !/token:|users:|- name: admin| {2}user:|contexts:|admin@standin|context:/.test(l))
        .join('\n');
      const data: Record<string, string> = { kubeconfig };
      for (const d of validTokens())
        if (d['usage-bootstrap-signing'] === 'true')
          data[`jws-kubeconfig-${d['token-id']}`] = createHmac('sha256', d['token-secret'] ?? '')
            .update(kubeconfig)
            .digest('base64url');
      return send(res, 200, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cluster-info', namespace: 'kube-public' },
        data,
      });
    }
    if (method === 'POST' && path === '/api/v1/nodes' && bootstrapAuth)
      return createNode(await readBody(req), res);
    if (!admin) return status(res, 401, 'Unauthorized', 'Unauthorized');

    let m: Array<string | undefined> = [];
    const route = (re: RegExp) => {
      const r = re.exec(path);
      m = r ? [...r] : [];
      return r !== null;
    };
    if (route(/^\/api\/v1\/namespaces\/([^/]+)\/secrets$/)) {
      const ns = m[1] ?? '';
      if (method === 'GET') {
        const sel = u.searchParams.get('fieldSelector');
        const type = sel?.startsWith('type=') ? sel.slice(5) : null;
        const items = [...secrets.values()].filter(
          (s) => s.metadata.namespace === ns && (!type || s.type === type),
        );
        return send(res, 200, {
          apiVersion: 'v1',
          kind: 'SecretList',
          metadata: { resourceVersion: String(rv) },
          items,
        });
      }
      if (method === 'POST') {
        const body = await readBody(req);
        if (body?.kind !== 'Secret') return status(res, 400, 'BadRequest', 'kind must be Secret');
        const name = body.metadata?.name;
        if (!name) return status(res, 422, 'Invalid', 'metadata.name: Required value');
        const data: Record<string, string> = { ...(body.data ?? {}) };
        for (const [k, v] of Object.entries(body.stringData ?? {})) data[k] = b64(String(v));
        const secret = bump({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name, namespace: ns },
          type: body.type ?? 'Opaque',
          data,
        });
        if (secret.type === 'bootstrap.kubernetes.io/token') {
          if (ns !== 'kube-system')
            return status(res, 422, 'Invalid', 'bootstrap tokens live in kube-system');
          const problem = bootstrapTokenProblem(name, tokenData(secret));
          if (problem) return status(res, 422, 'Invalid', `Secret "${name}" is invalid: ${problem}`);
        }
        if (secrets.has(`${ns}/${name}`))
          return status(res, 409, 'AlreadyExists', `secrets "${name}" already exists`);
        secrets.set(`${ns}/${name}`, secret);
        send(res, 201, secret);
        if (secret.type === 'bootstrap.kubernetes.io/token')
          server.onTokenCreated?.(tokenData(secret)['token-id'] ?? '');
        return;
      }
    }
    if (route(/^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/) && method === 'DELETE') {
      const key = `${m[1]}/${m[2]}`;
      if (!secrets.delete(key)) return status(res, 404, 'NotFound', `secrets "${m[2]}" not found`);
      return send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    }
    if (path === '/api/v1/nodes' && method === 'GET') {
      if (u.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        watchers.add(res);
        req.on('close', () => watchers.delete(res));
        // Without a resourceVersion the API server starts a watch with the current objects.
        for (const n of nodes.values()) res.write(`${JSON.stringify({ type: 'ADDED', object: n })}\n`);
        return;
      }
      return send(res, 200, {
        apiVersion: 'v1',
        kind: 'NodeList',
        metadata: { resourceVersion: String(rv) },
        items: [...nodes.values()],
      });
    }
    if (path === '/api/v1/nodes' && method === 'POST') return createNode(await readBody(req), res);
    if (route(/^\/api\/v1\/nodes\/([^/]+)$/)) {
      const name = m[1] ?? '';
      const node = nodes.get(name);
      if (!node) return status(res, 404, 'NotFound', `nodes "${name}" not found`);
      if (method === 'GET') return send(res, 200, node);
      if (method === 'PATCH') {
        const type = req.headers['content-type'] ?? '';
        if (!type.startsWith('application/merge-patch+json'))
          return status(
            res,
            415,
            'UnsupportedMediaType',
            `the stand-in takes merge patches only, not ${type}`,
          );
        const patched = bump(mergePatch(node, await readBody(req)) as Obj);
        nodes.set(name, patched);
        emit('MODIFIED', patched);
        return send(res, 200, patched);
      }
      if (method === 'DELETE') {
        nodes.delete(name);
        // The pod garbage collector removes the pods of a Node that no longer exists.
        for (const [key, pod] of pods) if (pod.spec.nodeName === name) pods.delete(key);
        emit('DELETED', node);
        return send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
      }
    }
    if (path === '/api/v1/pods' && method === 'GET') {
      const sel = u.searchParams.get('fieldSelector') ?? '';
      const nodeName = sel.startsWith('spec.nodeName=') ? sel.slice('spec.nodeName='.length) : null;
      const items = [...pods.values()].filter((p) => !nodeName || p.spec.nodeName === nodeName);
      return send(res, 200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items });
    }
    if (route(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/) && method === 'POST') {
      const key = `${m[1]}/${m[2]}`;
      const pod = pods.get(key);
      if (!pod) return status(res, 404, 'NotFound', `pods "${m[2]}" not found`);
      const pdb = pdbs.find(
        (p) =>
          p.namespace === m?.[1] &&
          Object.entries(p.matchLabels).every(([k, v]) => pod.metadata.labels?.[k] === v),
      );
      if (pdb && pdb.disruptionsAllowed <= 0)
        return status(
          res,
          429,
          'TooManyRequests',
          `Cannot evict pod as it would violate the pod's disruption budget. The disruption budget ${pdb.name} needs more healthy pods`,
        );
      if (pdb && !pod.metadata.deletionTimestamp) pdb.disruptionsAllowed -= 1;
      if (server.unreachable.has(pod.spec.nodeName)) {
        pod.metadata.deletionTimestamp ??= new Date(now()).toISOString();
        return send(res, 201, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
      }
      pods.delete(key);
      return send(res, 201, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    }
    return status(res, 404, 'NotFound', `the stand-in does not serve ${method} ${path}`);
  };

  const srv = https.createServer(
    { cert: readFileSync(`${TLS_DIR}server.pem`), key: readFileSync(`${TLS_DIR}server.key`) },
    (req, res) => {
      res.on('finish', () =>
        requests.push({
          method: req.method ?? '',
          path: (req.url ?? '').split('?')[0] ?? '',
          status: res.statusCode,
        }),
      );
      handle(req, res).catch((err: Error) => status(res, 500, 'InternalError', err.message));
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  url = `https://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  server.url = url;
  return server;
}
