import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { cronExpression, cronScheduler } from '../../src/telemetry/schedule.js';

describe('telemetry schedule', () => {
  it('uses a cron step only for intervals that divide a minute or an hour evenly', () => {
    expect(cronExpression(15)).toBe('*/15 * * * * *');
    expect(cronExpression(1)).toBe('*/1 * * * * *');
    expect(cronExpression(300)).toBe('0 */5 * * * *');
    expect(cronExpression(7)).toBeNull();
    expect(cronExpression(90)).toBeNull();
    expect(cronExpression(0)).toBeNull();
    expect(cronExpression(1.5)).toBeNull();
  });

  it('runs the task with node-cron every second until stopped', async () => {
    let runs = 0;
    const stop = cronScheduler(pino({ level: 'silent' }))(1, async () => {
      runs += 1;
    });
    await new Promise((r) => setTimeout(r, 2_600));
    stop();
    const seen = runs;
    expect(seen).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(runs).toBe(seen);
  });
});
