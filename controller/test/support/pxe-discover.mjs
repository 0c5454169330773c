// A Pi 5 bootloader's DHCPDISCOVER, sent from inside a client network namespace: vendor class
// PXEClient:Arch:00000:UNDI:002001, client arch 0 (option 93), UNDI 2.1 (94) and a client UUID
// (97, without which dnsmasq's proxy does not answer). Prints every offer as one JSON line with
// its options and the decoded PXE sub-options of option 43. Usage: node pxe-discover.mjs MAC [ms]
import dgram from 'node:dgram';

const mac = (process.argv[2] ?? '02:00:00:00:00:01').split(':').map((h) => Number.parseInt(h, 16));
const waitMs = Number(process.argv[3] ?? 3000);
const xid = Math.floor(Math.random() * 0xffffffff);

function discover() {
  const fixed = Buffer.alloc(240);
  fixed[0] = 1; // BOOTREQUEST
  fixed[1] = 1; // Ethernet
  fixed[2] = 6;
  fixed.writeUInt32BE(xid, 4);
  fixed.writeUInt16BE(0x8000, 10); // broadcast flag: we have no address yet
  Buffer.from(mac).copy(fixed, 28);
  fixed.writeUInt32BE(0x63825363, 236); // magic cookie
  const vendor = Buffer.from('PXEClient:Arch:00000:UNDI:002001');
  const uuid = Buffer.concat([Buffer.from([0]), Buffer.from('RaspberryPi5\0\0\0\x01')]);
  const opts = Buffer.concat([
    Buffer.from([53, 1, 1]),
    Buffer.from([60, vendor.length]),
    vendor,
    Buffer.from([93, 2, 0, 0]),
    Buffer.from([94, 3, 1, 2, 1]),
    Buffer.from([97, uuid.length]),
    uuid,
    Buffer.from([55, 4, 1, 3, 43, 60]),
    Buffer.from([255]),
  ]);
  return Buffer.concat([fixed, opts]);
}

function parseOptions(buf) {
  const out = {};
  let i = 0;
  while (i < buf.length) {
    const code = buf[i];
    if (code === 255) break;
    if (code === 0) {
      i += 1;
      continue;
    }
    const len = buf[i + 1];
    out[code] = buf.subarray(i + 2, i + 2 + len);
    i += 2 + len;
  }
  return out;
}

const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
const offers = [];
socket.on('message', (msg, rinfo) => {
  if (msg.length < 240 || msg[0] !== 2 || msg.readUInt32BE(4) !== xid) return;
  const opts = parseOptions(msg.subarray(240));
  const pxe = opts[43] ? parseOptions(opts[43]) : {};
  offers.push({
    from: rinfo.address,
    yiaddr: [...msg.subarray(16, 20)].join('.'),
    messageType: opts[53]?.[0],
    serverId: opts[54] ? [...opts[54]].join('.') : null,
    vendorClass: opts[60]?.toString('latin1') ?? null,
    option43Hex: opts[43]?.toString('hex') ?? null,
    // PXE sub-option 9: boot menu (type u16, length, text); 10: menu prompt (timeout, text).
    pxeMenu: pxe[9] ? pxe[9].subarray(3, 3 + pxe[9][2]).toString('latin1') : null,
    pxePrompt: pxe[10] ? pxe[10].subarray(1).toString('latin1') : null,
  });
});
socket.bind(68, '0.0.0.0', () => {
  socket.setBroadcast(true);
  socket.send(discover(), 67, '255.255.255.255', (err) => {
    if (err) {
      console.error(`send failed: ${err.message}`);
      process.exit(2);
    }
  });
  setTimeout(() => {
    process.stdout.write(`${JSON.stringify({ offers })}\n`);
    socket.close();
  }, waitMs);
});
