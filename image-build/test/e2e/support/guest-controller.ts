// What both QEMU boot tests set up on the host: the image (prerequisites installed, built or
// reused), and a controller the guest can reach through QEMU's user-mode gateway.
import { rm } from 'node:fs/promises';
import pino from 'pino';
import { startController } from '../../../../controller/src/server/start-controller.js';
import { controllerSecrets, freePort, makeWorkspace } from '../../../../controller/test/support/e2e.js';
import { E2E_PACKAGES, ensureBinfmt, ensureDebianPackages } from './host-prerequisites.js';
import { buildQemuImage, ensureArm64Agent } from './qemu-image.js';

/** QEMU user networking: the guest is 10.0.2.15, the host's loopback answers at 10.0.2.2. */
export const HOST_FROM_GUEST = '10.0.2.2';

/** Debian packages, binfmt, the arm64 agent, then the qemu image (cached layers reused). */
export async function prepareQemuImage(log: (line: string) => void, extraPackages: string[] = []) {
  const installed = await ensureDebianPackages([...E2E_PACKAGES, ...extraPackages]);
  if (installed.length > 0) log(`installed ${installed.join(' ')}`);
  await ensureBinfmt();
  await ensureArm64Agent(log);
  const image = await buildQemuImage();
  log(`image ${image.manifest.version} ready in ${image.seconds.toFixed(1)} s`);
  return image;
}

/**
 * A real controller on 127.0.0.1 for a guest: its certificate names 10.0.2.2 (the address the guest
 * dials) and the bootstrap repository is served at that address. Cleanups go to `cleanups`.
 */
export async function startGuestController(
  inventory: string,
  files: Record<string, string>,
  cleanups: Array<() => Promise<unknown>>,
) {
  const ws = await makeWorkspace(inventory, files);
  cleanups.push(() => rm(ws.dir, { recursive: true, force: true }));
  const [port, httpPort] = [await freePort(), await freePort()];
  const controller = await startController({
    inventoryPath: ws.inventoryPath,
    dataDir: ws.dataDir,
    bootstrapDir: ws.bootstrapDir,
    listen: `mqtts://127.0.0.1:${port}`,
    tlsSans: [HOST_FROM_GUEST],
    httpListen: `http://127.0.0.1:${httpPort}`,
    publicHttpUrl: `http://${HOST_FROM_GUEST}:${httpPort}`,
    logger: pino({ level: process.env.OSBUILD_TEST_LOG ?? 'silent' }),
    retry: { baseMs: 500, capMs: 2_000 },
    tickMs: 200,
  });
  cleanups.push(() => controller.stop());
  const { claimSecret } = await controllerSecrets(ws.dataDir);
  return { controller, port, claimSecret, c: { mqttUrl: controller.mqttUrl, dataDir: ws.dataDir } };
}
