import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error.js';
import {
  type AddressInputs,
  DEFAULT_CONTROLLER_URL,
  resolveControllerAddress,
  resolveDataDir,
} from '../../src/cli/controller-address.js';

const CWD = '/home/op/cluster';

function inputs(over: Partial<AddressInputs> & { files?: Record<string, string> } = {}): AddressInputs {
  const files = over.files ?? {};
  return {
    flags: over.flags ?? {},
    env: over.env ?? {},
    cwd: over.cwd ?? CWD,
    readFile: (p) => files[p],
  };
}

const controllerJson = (url: string) => JSON.stringify({ mqttUrl: url, httpUrl: 'http://127.0.0.1:8080' });

describe('resolveDataDir', () => {
  it('prefers the flag, then OSBUILD_DATA_DIR, then ./.osbuild, relative to cwd', () => {
    expect(resolveDataDir('state', { OSBUILD_DATA_DIR: '/env' }, CWD)).toBe('/home/op/cluster/state');
    expect(resolveDataDir(undefined, { OSBUILD_DATA_DIR: '/env' }, CWD)).toBe('/env');
    expect(resolveDataDir(undefined, {}, CWD)).toBe('/home/op/cluster/.osbuild');
    expect(resolveDataDir(undefined, { OSBUILD_DATA_DIR: '' }, CWD)).toBe('/home/op/cluster/.osbuild');
  });
});

describe('resolveControllerAddress', () => {
  const everything = {
    flags: { controller: 'mqtt://flag:1' },
    env: { OSBUILD_CONTROLLER: 'mqtt://env:2' },
    files: { '/home/op/cluster/.osbuild/controller.json': controllerJson('mqtt://file:3') },
  };

  it('takes --controller first', () => {
    expect(resolveControllerAddress(inputs(everything))).toMatchObject({
      url: 'mqtt://flag:1',
      source: 'flag',
    });
  });

  it('then OSBUILD_CONTROLLER', () => {
    const r = resolveControllerAddress(inputs({ ...everything, flags: {} }));
    expect(r).toMatchObject({ url: 'mqtt://env:2', source: 'env' });
  });

  it('then mqttUrl from <dataDir>/controller.json', () => {
    const r = resolveControllerAddress(inputs({ ...everything, flags: {}, env: {} }));
    expect(r).toMatchObject({ url: 'mqtt://file:3', source: 'controller.json', dataDir: `${CWD}/.osbuild` });
  });

  it('reads controller.json from --data-dir, then OSBUILD_DATA_DIR', () => {
    const files = {
      '/srv/a/controller.json': controllerJson('mqtt://a:1'),
      '/srv/b/controller.json': controllerJson('mqtt://b:1'),
    };
    const env = { OSBUILD_DATA_DIR: '/srv/b' };
    expect(resolveControllerAddress(inputs({ flags: { dataDir: '/srv/a' }, env, files })).url).toBe(
      'mqtt://a:1',
    );
    expect(resolveControllerAddress(inputs({ env, files })).url).toBe('mqtt://b:1');
  });

  it('falls back to the default URL', () => {
    expect(resolveControllerAddress(inputs())).toMatchObject({
      url: DEFAULT_CONTROLLER_URL,
      source: 'default',
    });
    expect(DEFAULT_CONTROLLER_URL).toBe('mqtts://127.0.0.1:8883');
  });

  it('refuses a broken controller.json and non-MQTT URLs as usage errors', () => {
    const broken = inputs({ files: { [`${CWD}/.osbuild/controller.json`]: '{nope' } });
    expect(() => resolveControllerAddress(broken)).toThrow(CliError);
    const noUrl = inputs({ files: { [`${CWD}/.osbuild/controller.json`]: '{}' } });
    expect(() => resolveControllerAddress(noUrl)).toThrow(/mqttUrl/);
    expect(() => resolveControllerAddress(inputs({ flags: { controller: 'http://x:1' } }))).toThrow(
      /mqtt:\/\//,
    );
    try {
      resolveControllerAddress(broken);
    } catch (err) {
      expect((err as CliError).exitCode).toBe(2);
    }
  });
});

describe('credentials', () => {
  const creds = JSON.stringify({ username: 'operator', password: 's3cret' });

  it('reads --credentials relative to cwd', () => {
    const r = resolveControllerAddress(
      inputs({ flags: { credentials: 'op.json' }, files: { [`${CWD}/op.json`]: creds } }),
    );
    expect(r.credentials).toEqual({ username: 'operator', password: 's3cret', file: `${CWD}/op.json` });
  });

  it('defaults to <dataDir>/operator.json when it exists, and to none otherwise', () => {
    const withFile = inputs({ files: { [`${CWD}/.osbuild/operator.json`]: creds } });
    expect(resolveControllerAddress(withFile).credentials?.username).toBe('operator');
    expect(resolveControllerAddress(inputs()).credentials).toBeUndefined();
  });

  it('refuses a missing explicit file and a file without username/password', () => {
    expect(() => resolveControllerAddress(inputs({ flags: { credentials: 'missing.json' } }))).toThrow(
      /credentials file not found/,
    );
    const bad = inputs({ files: { [`${CWD}/.osbuild/operator.json`]: '{"username": 1}' } });
    expect(() => resolveControllerAddress(bad)).toThrow(/username/);
  });
});
