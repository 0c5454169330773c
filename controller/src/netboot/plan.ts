// Which inventory nodes boot from the network, and everything the renderers need about each one,
// derived by one pure function so every renderer agrees.
import type { Inventory } from '@osbuild/shared';
import type { NetbootConfig } from './config.js';
import { netbootLayout } from './layout.js';

/** One netboot node as the renderers see it. */
export interface NetbootNode {
  name: string;
  /**
   * TFTP folder: the last 8 hex digits of the serial, which is what the Pi 5 bootloader puts in
   * front of every file name with the default TFTP_PREFIX=0. [Raspberry Pi bootloader
   * configuration, TFTP_PREFIX]
   */
  tftpFolder: string;
  /** Image version its root and boot files come from. */
  image: string;
  /** Static address without prefix, when the inventory knows it (restricts its NFS export). */
  ip?: string;
  mac?: string;
  /** Absolute path of its NFS root on the server (also the NFSv4 pseudo path). */
  rootPath: string;
}

/** Netboot nodes of the inventory, sorted by name so rendered files do not depend on file order. */
export function netbootNodes(inventory: Inventory, config: NetbootConfig): NetbootNode[] {
  const layout = netbootLayout(config.dir);
  const nodes: NetbootNode[] = [];
  for (const n of inventory.nodes) {
    if (n.netboot === undefined || n.serial === undefined) continue;
    const image = n.netboot.image ?? inventory.defaults.netboot?.image;
    if (image === undefined) continue; // the inventory schema refuses this; keep the type honest
    nodes.push({
      name: n.hostname,
      tftpFolder: n.serial.slice(-8),
      image,
      ...(n.ip ? { ip: n.ip.split('/')[0] as string } : {}),
      ...(n.mac ? { mac: n.mac } : {}),
      rootPath: layout.root(n.hostname),
    });
  }
  return nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
