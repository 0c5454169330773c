import { describe, expect, it } from 'vitest';
import { brokerAddress } from '../../src/transport/mqtt-transport.js';

describe('brokerAddress (WHATWG URL instead of mqtt.js url.parse)', () => {
  it('splits mqtt and mqtts URLs into protocol, host and port', () => {
    expect(brokerAddress('mqtt://127.0.0.1:1883')).toEqual({
      protocol: 'mqtt',
      host: '127.0.0.1',
      hostname: '127.0.0.1',
      port: 1883,
    });
    expect(brokerAddress('mqtts://controller.lan')).toEqual({
      protocol: 'mqtts',
      host: 'controller.lan',
      hostname: 'controller.lan',
    });
  });

  it('unwraps IPv6 literals for TCP and keeps the path for WebSocket', () => {
    expect(brokerAddress('mqtts://[fd00::2]:8883')).toMatchObject({ host: 'fd00::2', hostname: 'fd00::2' });
    expect(brokerAddress('wss://[fd00::2]:443/mqtt?x=1')).toMatchObject({
      protocol: 'wss',
      host: 'fd00::2',
      hostname: '[fd00::2]',
      path: '/mqtt?x=1',
    });
  });
});
