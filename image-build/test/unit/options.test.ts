import { describe, expect, it } from 'vitest';
import { HELP, parseOptions, UsageError } from '../../src/options.js';

const ROOT = '/repo';

describe('image driver options', () => {
  it('defaults: qemu, out and cache below image-build, the arm64 agent from agent/dist', () => {
    expect(parseOptions([], ROOT, {})).toEqual({
      profile: 'qemu',
      outRoot: '/repo/image-build/out',
      cacheDir: '/repo/image-build/.cache',
      agentBinary: '/repo/agent/dist/osbuild-agent-linux-arm64',
      keyringDir: '/repo/image-build/.cache/keyrings',
      output: 'text',
    });
  });

  it('takes the epoch from the flag before SOURCE_DATE_EPOCH', () => {
    expect(parseOptions([], ROOT, { SOURCE_DATE_EPOCH: '1700000000' })).toMatchObject({
      sourceDateEpoch: 1700000000,
    });
    expect(parseOptions(['--source-date-epoch', '5'], ROOT, { SOURCE_DATE_EPOCH: '7' })).toMatchObject({
      sourceDateEpoch: 5,
    });
  });

  it('--help', () => {
    expect(parseOptions(['--help'], ROOT, {})).toBe('help');
    expect(HELP).toContain('--profile');
    expect(HELP).toContain('--out');
    expect(HELP).toContain('--version');
  });

  it.each([
    [['--profile', 'pi4'], /unknown --profile pi4/],
    [['--version', '../x'], /--version "..\/x"/],
    [['-o', 'yaml'], /expected text or json/],
    [['--source-date-epoch', 'yesterday'], /expected whole seconds/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv, ROOT, {})).toThrow(UsageError);
    expect(() => parseOptions(argv, ROOT, {})).toThrow(message);
  });
});
