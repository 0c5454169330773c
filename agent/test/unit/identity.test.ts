import { HOST_FIXTURES } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import { hostPaths, readIdentity } from '../../src/index.js';

const deps = { agentVersion: '9.9.9', systemModel: async () => 'must not be used on a fixture root' };
const read = (name: string) => readIdentity(hostPaths(`${HOST_FIXTURES}/${name}`), deps);
const MODEL = 'Raspberry Pi 5 Model B Rev 1.0';

describe('readIdentity on the fixture boards', () => {
  it('pi5-a: SD boot, devicetree serial with NUL, eth0 before wlan0, image version', async () => {
    expect(await read('pi5-a')).toEqual({
      nodeId: 'pi-10000000000000a1',
      nics: [
        { name: 'eth0', mac: 'dc:a6:32:00:00:0a' },
        { name: 'wlan0', mac: '2c:cf:67:00:00:0a' },
      ],
      serial: '10000000000000a1',
      model: MODEL,
      bootSource: 'sd',
      bootId: '6f1c2a3e-0a11-4c6b-9d2e-5a0000000a01',
      agentVersion: '9.9.9',
      imageVersion: '2026.11.0',
      hostname: 'raspberrypi',
    });
  });

  it('pi5-b: netboot, serial from /proc/cpuinfo', async () => {
    expect(await read('pi5-b')).toEqual({
      nodeId: 'pi-10000000000000a2',
      nics: [{ name: 'eth0', mac: 'dc:a6:32:00:00:0b' }],
      serial: '10000000000000a2',
      model: MODEL,
      bootSource: 'netboot',
      bootId: '6f1c2a3e-0a11-4c6b-9d2e-5a0000000b01',
      agentVersion: '9.9.9',
      imageVersion: null,
      hostname: 'raspberrypi',
    });
  });

  it('pi5-c: NVMe boot', async () => {
    expect(await read('pi5-c')).toMatchObject({
      nodeId: 'pi-10000000000000a3',
      nics: [{ name: 'eth0', mac: 'dc:a6:32:00:00:0c' }],
      serial: '10000000000000a3',
      bootSource: 'nvme',
      bootId: '6f1c2a3e-0a11-4c6b-9d2e-5a0000000c01',
    });
  });

  it('pi5-unknown: USB boot, unknown MAC and serial', async () => {
    expect(await read('pi5-unknown')).toMatchObject({
      nodeId: 'pi-10000000000000ff',
      nics: [{ name: 'eth0', mac: 'dc:a6:32:00:00:99' }],
      serial: '10000000000000ff',
      bootSource: 'usb',
    });
  });

  it("pi5-conflict: pi5-a's MAC with pi5-c's serial", async () => {
    expect(await read('pi5-conflict')).toMatchObject({
      nodeId: 'pi-10000000000000a3',
      nics: [{ name: 'eth0', mac: 'dc:a6:32:00:00:0a' }],
      serial: '10000000000000a3',
      bootSource: 'sd',
    });
  });
});
