/** Helpers for knowledge tests: copies of the bundled demo packets, bad inputs, and a tiny zip writer. */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { repoRoot } from '../../helpers/shared.js';

export const demoDir = path.join(repoRoot, 'assets', 'demo', 'orphapackets');

export function tempDir(prefix = 'medssr-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A fresh copy of the demo packets that a test may change. */
export function copyOfDemo(): string {
  const dir = tempDir('medssr-packets-');
  cpSync(demoDir, dir, { recursive: true });
  return dir;
}

export function readPacket(dir: string, code: string): { Orphapacket: Record<string, unknown> } {
  return JSON.parse(readFileSync(path.join(dir, `ORPHApacket_${code}.json`), 'utf8')) as { Orphapacket: Record<string, unknown> };
}

export function writePacket(dir: string, file: string, packet: unknown): void {
  writeFileSync(path.join(dir, file), JSON.stringify(packet, null, 2));
}

/** Writes a zip archive, entries stored or (`deflate`) compressed; enough to test the importer's zip path. */
export function writeZip(file: string, entries: { name: string; data: Buffer; deflate?: boolean }[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data) >>> 0;
    const stored = e.deflate ? deflateRawSync(e.data) : e.data;
    const method = e.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, stored);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + stored.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(file, Buffer.concat([...locals, ...centrals, end]));
}

/** Zips every file of a folder (flat), under a top folder as GitHub's archives have. */
export function zipFolder(dir: string, file: string, top = 'orphapacket-master/json/'): void {
  const entries = readdirSortedFiles(dir).map((name) => ({ name: `${top}${name}`, data: readFileSync(path.join(dir, name)) }));
  entries.push({ name: 'orphapacket-master/README.md', data: Buffer.from('# ORPHApackets\n') });
  writeZip(file, entries);
}

function readdirSortedFiles(dir: string): string[] {
  return readdirSync(dir).sort();
}
