import { describe, expect, it } from 'vitest';
import { defaultSans } from '../../src/tls/default-sans.js';

describe('defaultSans', () => {
  it('covers loopback and the hostname', () => {
    expect(defaultSans(undefined, 'ctl-1')).toEqual(['localhost', '127.0.0.1', '::1', 'ctl-1']);
  });

  it('adds a concrete listen host but not a wildcard', () => {
    expect(defaultSans('192.168.1.10', 'ctl-1')).toContain('192.168.1.10');
    expect(defaultSans('[fd00::5]', 'ctl-1')).toContain('fd00::5');
    expect(defaultSans('0.0.0.0', 'ctl-1')).toEqual(['localhost', '127.0.0.1', '::1', 'ctl-1']);
    expect(defaultSans('::', 'ctl-1')).toEqual(['localhost', '127.0.0.1', '::1', 'ctl-1']);
  });

  it('lists each name once', () => {
    expect(defaultSans('127.0.0.1', 'localhost')).toEqual(['localhost', '127.0.0.1', '::1']);
  });
});
