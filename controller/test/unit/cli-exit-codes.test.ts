import { errorCode, UserError } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error.js';
import { EXIT, exitCodeForErrorCode } from '../../src/cli/exit-codes.js';
import { reportError } from '../../src/cli/report-error.js';
import {
  ControllerAuthError,
  ControllerUnreachableError,
  RpcCallError,
  RpcProtocolError,
  RpcTimeoutError,
} from '../../src/rpc/client-errors.js';

describe('exit codes', () => {
  it('are the documented numbers', () => {
    expect(EXIT).toEqual({
      ok: 0,
      internal: 1,
      usage: 2,
      notFound: 3,
      refused: 4,
      unreachable: 5,
      inventoryInvalid: 6,
      auditBroken: 7,
      commandFailed: 8,
      commandTimedOut: 9,
    });
  });

  it('map every envelope error code', () => {
    const mapped = Object.fromEntries(errorCode.options.map((c) => [c, exitCodeForErrorCode(c)]));
    expect(mapped).toEqual({
      'bad-request': 2,
      'not-found': 3,
      conflict: 4,
      'invalid-state': 4,
      unauthorized: 4,
      internal: 1,
      unavailable: 5,
    });
  });
});

describe('reportError', () => {
  it('classifies every error the CLI can meet', () => {
    expect(reportError(new RpcCallError('not-found', 'no node x'))).toEqual({
      exitCode: 3,
      message: 'not-found: no node x',
    });
    expect(reportError(new ControllerUnreachableError('mqtt://h:1', 'cannot reach')).exitCode).toBe(5);
    expect(reportError(new RpcTimeoutError('nodes.list', 10_000))).toEqual({
      exitCode: 5,
      message: 'the controller did not answer nodes.list within 10 s',
    });
    expect(reportError(new ControllerAuthError('mqtt://h:1', 'refused the credentials')).exitCode).toBe(4);
    expect(reportError(new RpcProtocolError('bad')).exitCode).toBe(1);
    expect(reportError(new CliError(6, ''))).toEqual({ exitCode: 6, message: '' });
    expect(reportError(new UserError('inventory-invalid', 'x')).exitCode).toBe(6);
    expect(reportError(new UserError('other', 'x')).exitCode).toBe(2);
    expect(reportError(new TypeError('boom'))).toEqual({ exitCode: 1, message: 'internal error: boom' });
  });
});
